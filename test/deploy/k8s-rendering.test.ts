import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { BASE_DIR, GENERATED_MARK, generatedFilesOnDisk, renderK8sBase } from '../../tools/render-k8s';
import { buildShipped } from './helpers/kustomize';

/** Every checked-in file of k8s/base that differs from the chart's rendering, with what to do. */
function staleFiles(rendered: Map<string, string>, read: (file: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const [file, content] of rendered) {
    const onDisk = read(file);
    if (onDisk === undefined) problems.push(`k8s/base/${file} is missing`);
    else if (onDisk !== content) problems.push(`k8s/base/${file} is stale`);
  }
  return problems;
}

const readBase = (file: string): string | undefined => {
  try {
    return readFileSync(path.join(BASE_DIR, file), 'utf8');
  } catch {
    return undefined;
  }
};
const advice = (problems: string[]) => `${problems.join('\n')}\nrun \`npm run render-k8s\` (k8s/base is generated from charts/chatpop)`;

describe('deploy: k8s/base is the rendering of charts/chatpop', () => {
  let rendered: Map<string, string>;
  before(() => {
    rendered = renderK8sBase();
  });

  it('byte for byte: every rendered file is checked in as rendered', () => {
    const problems = staleFiles(rendered, readBase);
    expect(problems, advice(problems)).to.deep.equal([]);
  });

  it('no generated file is left over that the chart no longer renders, and each says it is generated', () => {
    const leftover = generatedFilesOnDisk().filter((f) => !rendered.has(f));
    expect(leftover, advice(leftover.map((f) => `k8s/base/${f} is no longer rendered`))).to.deep.equal([]);
    for (const content of rendered.values()) expect(content.startsWith(GENERATED_MARK)).to.equal(true);
  });

  it('kustomization.yaml lists exactly the rendered files', () => {
    const kustomization = YAML.parse(readFileSync(path.join(BASE_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).to.deep.equal([...rendered.keys()].sort());
  });

  it('holds no Secret (the operator creates `chatpop`) and no hook Job (k8s/jobs holds them)', () => {
    const kinds = buildShipped('base').map((o) => o.kind);
    expect(kinds).to.not.include('Secret');
    expect(kinds).to.not.include('Job');
    for (const o of buildShipped('base'))
      expect(Object.keys(o.metadata.annotations ?? {}).filter((k) => k.startsWith('helm.sh/'))).to.deep.equal([]);
  });

  it('the check is live: an edited, a missing and an unchanged file', () => {
    const [file, content] = [...rendered][0];
    expect(staleFiles(new Map([[file, content]]), () => content)).to.deep.equal([]);
    expect(staleFiles(new Map([[file, content]]), () => content.replace('chatpop', 'chatpot'))).to.deep.equal([
      `k8s/base/${file} is stale`,
    ]);
    expect(staleFiles(new Map([[file, content]]), () => undefined)).to.deep.equal([`k8s/base/${file} is missing`]);
  });
});
