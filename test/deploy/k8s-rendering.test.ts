import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Ajv from 'ajv';
import YAML from 'yaml';
import { coalesce, readValuesYaml } from '../../tools/chart-render';
import { CHART_DIR, GENERATED_MARK, generatedFilesOnDisk, renderK8s, ROOT, VALUES_FILE } from '../../tools/render-k8s';
import { buildShipped, findObject } from './helpers/kustomize';
import { dig } from './helpers/repo';

/** Every checked-in generated file that differs from the chart's rendering. */
function staleFiles(rendered: Map<string, string>, read: (file: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const [file, content] of rendered) {
    const onDisk = read(file);
    if (onDisk === undefined) problems.push(`${file} is missing`);
    else if (onDisk !== content) problems.push(`${file} is stale`);
  }
  return problems;
}

const readCheckedIn = (file: string): string | undefined => {
  try {
    return readFileSync(path.join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
};
const advice = (problems: string[]) =>
  `${problems.join('\n')}\nrun \`npm run render-k8s\` (k8s/base and k8s/jobs/*/job.yaml are generated from charts/chatpop)`;

describe('deploy: the plain manifests (k8s/base, k8s/jobs) are the rendering of charts/chatpop', () => {
  let rendered: Map<string, string>;
  before(() => {
    rendered = renderK8s();
  });

  it('byte for byte: every rendered file is checked in as rendered', () => {
    const problems = staleFiles(rendered, readCheckedIn);
    expect(problems, advice(problems)).to.deep.equal([]);
  });

  it('no generated file is left over that the chart no longer renders, and each says it is generated', () => {
    const leftover = generatedFilesOnDisk().filter((f) => !rendered.has(f));
    expect(leftover, advice(leftover.map((f) => `${f} is no longer rendered`))).to.deep.equal([]);
    for (const content of rendered.values()) expect(content.startsWith(GENERATED_MARK)).to.equal(true);
  });

  it('each kustomization.yaml lists exactly the rendered files of its folder', () => {
    const folders = new Set([...rendered.keys()].map((f) => path.dirname(f)));
    expect([...folders].sort()).to.deep.equal(['k8s/base', 'k8s/jobs/migrate', 'k8s/jobs/post-upgrade', 'k8s/jobs/pre-upgrade']);
    for (const folder of folders) {
      const kustomization = YAML.parse(readFileSync(path.join(ROOT, folder, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
      const files = [...rendered.keys()].filter((f) => path.dirname(f) === folder).map((f) => path.basename(f));
      expect([...kustomization.resources].sort(), folder).to.deep.equal(files.sort());
    }
  });

  it('the base holds no Secret (the operator creates `chatpop`) and no Job; nothing carries a Helm hook annotation', () => {
    const kinds = buildShipped('base').map((o) => o.kind);
    expect(kinds).to.not.include('Secret');
    expect(kinds).to.not.include('Job');
    for (const key of ['base', 'migrate', 'preUpgrade', 'postUpgrade'] as const) {
      for (const o of buildShipped(key)) {
        const helmKeys = Object.keys(o.metadata.annotations ?? {}).filter((k) => k.startsWith('helm.sh/'));
        expect(helmKeys, `${o.kind}/${o.metadata.name}`).to.deep.equal([]);
      }
    }
  });

  it('the migrate Job reads the ConfigMap as optional (it may run before the base is first applied)', () => {
    const migrate = findObject(buildShipped('migrate'), 'Job');
    expect(dig(migrate, 'spec.template.spec.containers.0.envFrom.0.configMapRef')).to.deep.equal({ name: 'chatpop', optional: true });
  });

  it('k8s/values.yaml, over the chart defaults, satisfies values.schema.json', () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    const defaults = readValuesYaml(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'), 'values.yaml');
    const values = coalesce(defaults, readValuesYaml(readFileSync(VALUES_FILE, 'utf8'), VALUES_FILE));
    expect(validate(values), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('the check is live: an edited, a missing and an unchanged file', () => {
    const [file, content] = [...rendered][0];
    expect(staleFiles(new Map([[file, content]]), () => content)).to.deep.equal([]);
    expect(staleFiles(new Map([[file, content]]), () => content.replace('chatpop', 'chatpot'))).to.deep.equal([`${file} is stale`]);
    expect(staleFiles(new Map([[file, content]]), () => undefined)).to.deep.equal([`${file} is missing`]);
  });
});
