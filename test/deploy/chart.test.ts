import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { expect } from 'chai';
import YAML from 'yaml';
import {
  actionsOf,
  CHART_DIR,
  chartDefaults,
  chartDefines,
  readTemplate,
  referencedValuePaths,
  renderChartObjects,
  templateFiles,
} from './helpers/chart-template';
import { kubernetesProblems } from './helpers/k8s-schema';

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(path.join(CHART_DIR, file), 'utf8')) as Json;
const defaults = (): Json => YAML.parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')) as Json;

/** Every leaf path of a values tree (arrays and empty maps count as leaves). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) return [prefix];
  return Object.entries(value as Json).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The schema node describing a values path, following $ref; undefined when the schema has none. */
function schemaNode(schema: Json, dotted: string): Json | undefined {
  const resolve = (node: Json): Json => {
    const ref = node.$ref as string | undefined;
    return ref
      ? resolve(
          ref
            .slice(2)
            .split('/')
            .reduce<Json>((n, k) => n[k] as Json, schema),
        )
      : node;
  };
  let node: Json | undefined = resolve(schema);
  for (const key of dotted.split('.').filter(Boolean)) {
    const props = node?.properties as Json | undefined;
    node = props?.[key] ? resolve(props[key] as Json) : undefined;
    if (!node) return undefined;
  }
  return node;
}

describe('deploy: Helm chart', () => {
  let validate: ValidateFunction;
  before(() => {
    // strict: an unknown keyword or a loose type in the schema is an error, not a silent pass.
    validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(readJson('values.schema.json'));
  });

  it('is a Helm v3 application chart (apiVersion v2) with an appVersion', () => {
    const chart = YAML.parse(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Json;
    expect(chart).to.include({ apiVersion: 'v2', name: 'chatpop', type: 'application' });
    expect(chart.version).to.match(/^\d+\.\d+\.\d+/);
    expect(chart.appVersion).to.be.a('string').and.not.be.empty;
  });

  it('values.yaml satisfies values.schema.json', () => {
    const ok = validate(defaults());
    expect(ok, JSON.stringify(validate.errors, null, 2)).to.equal(true);
  });

  it('ci/lint-values.yaml (the values helm lint runs with), merged over the defaults, satisfies the schema', () => {
    const merge = (a: unknown, b: unknown): unknown =>
      a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)
        ? Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, merge((a as Json)[k], (b as Json)[k])]))
        : b === undefined
          ? a
          : b;
    const lint = YAML.parse(readFileSync(path.join(CHART_DIR, 'ci', 'lint-values.yaml'), 'utf8')) as Json;
    expect(validate(merge(defaults(), lint)), JSON.stringify(validate.errors)).to.equal(true);
    expect((lint.secrets as Json).databaseUrl, 'the chart fails without DATABASE_URL').to.be.a('string').and.not.be.empty;
  });

  it('the schema describes every value in values.yaml, with a description', () => {
    const schema = readJson('values.schema.json');
    const missing: string[] = [];
    for (const leaf of leafPaths(defaults())) {
      // Walk down: every step must be described (free-form maps stop the walk).
      const steps = leaf.split('.');
      for (let i = 1; i <= steps.length; i++) {
        const node = schemaNode(schema, steps.slice(0, i).join('.'));
        if (!node) {
          missing.push(leaf);
          break;
        }
        if (i === 1 && !node.description && !(node.properties && Object.keys(node.properties).length))
          missing.push(`${leaf} (no description)`);
        // A free-form object (no additionalProperties: false) describes everything below it.
        if (node.additionalProperties !== false) break;
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('the schema rejects unknown keys, short secrets, bad schedules and a non-postgres DATABASE_URL', () => {
    const cases: [string, (v: Json) => void, RegExp][] = [
      [
        'unknown top-level key',
        (v) => {
          v.replicas = 3;
        },
        /additionalProperties|must NOT have additional properties/,
      ],
      [
        'typo in config',
        (v) => {
          (v.config as Json).logLevl = 'info';
        },
        /must NOT have additional properties/,
      ],
      [
        'short session secret',
        (v) => {
          (v.secrets as Json).sessionSecret = 'too-short';
        },
        /must match pattern/,
      ],
      [
        'mysql database',
        (v) => {
          (v.secrets as Json).databaseUrl = 'mysql://x';
        },
        /must match pattern/,
      ],
      [
        'five-field cron only',
        (v) => {
          ((v.cronJobs as Json).maintenance as Json).schedule = '0 2 * *';
        },
        /must match pattern/,
      ],
      [
        'non-OTEL env in otel.env',
        (v) => {
          (v.otel as Json).env = { NODE_OPTIONS: '--inspect' };
        },
        /property name must be valid|must match pattern/,
      ],
      [
        'string port',
        (v) => {
          v.containerPort = '3000';
        },
        /must be integer/,
      ],
    ];
    for (const [label, mutate, expected] of cases) {
      const values = defaults();
      mutate(values);
      expect(validate(values), label).to.equal(false);
      expect(JSON.stringify(validate.errors), label).to.match(expected);
    }
  });

  it('every .Values path the templates use exists in values.yaml', () => {
    const values = defaults();
    const missing = [...referencedValuePaths()].filter(
      (p) =>
        p
          .split('.')
          .reduce<{ ok: boolean; cur: unknown }>(
            (acc, k) =>
              acc.ok && acc.cur !== null && typeof acc.cur === 'object' && k in (acc.cur as Json)
                ? { ok: true, cur: (acc.cur as Json)[k] }
                : { ok: false, cur: undefined },
            { ok: true, cur: values },
          ).ok === false,
    );
    expect(missing).to.deep.equal([]);
  });

  it('every template is balanced and includes only defined helpers', () => {
    const defined = chartDefines();
    for (const file of templateFiles()) {
      const text = readTemplate(file);
      expect(text.split('{{').length, `${file}: unbalanced delimiters`).to.equal(text.split('}}').length);
      let depth = 0;
      for (const a of actionsOf(text)) {
        if (/^(if|with|range|define|block)\b/.test(a)) depth++;
        else if (a === 'end') depth--;
        expect(depth, `${file}: "end" without an opening block`).to.be.at.least(0);
        const inc = /\b(?:include|template)\s+"([^"]+)"/.exec(a);
        if (inc) expect(defined.has(inc[1]), `${file}: include "${inc[1]}" is not defined`).to.equal(true);
        const tpl = /print \$\.Template\.BasePath "\/([^"]+)"/.exec(a);
        if (tpl) expect(templateFiles(), `${file}: checksum of a missing template`).to.include(tpl[1]);
      }
      expect(depth, `${file}: unclosed block`).to.equal(0);
    }
  });

  it('renders (default values, ingress on) to objects that pass the Kubernetes schema', () => {
    const values = chartDefaults();
    (values.ingress as Json).enabled = true;
    const objects = renderChartObjects(values);
    expect(objects.map((o) => o.kind)).to.include.members([
      'ConfigMap',
      'Secret',
      'Deployment',
      'Service',
      'Ingress',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'CronJob',
      'Job',
      'NetworkPolicy',
    ]);
    const problems = objects.flatMap(kubernetesProblems);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('NOTES.txt shows the kubectl exec commands for inspect --stats and monitor', () => {
    const notes = readTemplate('NOTES.txt');
    expect(notes).to.match(/kubectl .*exec -it deployment\/\{\{ include "chatpop\.fullname" \. \}\} -- inspect --stats/);
    expect(notes).to.match(/kubectl .*exec -it deployment\/\{\{ include "chatpop\.fullname" \. \}\} -- monitor\b/);
  });

  it('passes OTEL_* values through to the ConfigMap unchanged', () => {
    const values = defaults();
    (values.otel as Json).env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_always_on' };
    const text = readTemplate('configmap.yaml');
    expect(text).to.match(/range \$name, \$value := \.Values\.otel\.env/);
    expect(text).to.match(/\{\{ \$name \}\}: \{\{ \$value \| quote \}\}/);
    expect(validate(values), JSON.stringify(validate.errors)).to.equal(true);
  });
});
