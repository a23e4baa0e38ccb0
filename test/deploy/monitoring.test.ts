import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { expect } from 'chai';
import YAML from 'yaml';
import { parsePrometheus, startStack, startTestApp, type TestApp } from '../support';
import { CHART_DIR, chartDefaults, renderChartObjects, renderTemplateObjects } from './helpers/chart-template';
import { kubernetesProblems } from './helpers/k8s-schema';
import { dig, type K8sObject } from './helpers/repo';

type Json = Record<string, any>;
const defaults = (): Json => chartDefaults();
const dashboard = (): Json => JSON.parse(readFileSync(path.join(CHART_DIR, 'dashboards', 'chatpop.json'), 'utf8')) as Json;

const duration = { type: 'string', pattern: '^([0-9]+(ms|s|m|h|d|w|y))+$' };
const labelMap = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, labels: labelMap, annotations: labelMap },
};

/**
 * The fields of the Prometheus Operator CRDs (monitoring.coreos.com/v1) the chart uses, with their
 * required fields and types as the CRDs' OpenAPI schemas state them; unknown fields are refused here
 * so that a typo does not pass (the API server would drop it silently).
 */
const SERVICE_MONITOR = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata,
    spec: {
      type: 'object',
      required: ['selector', 'endpoints'],
      additionalProperties: false,
      properties: {
        selector: { type: 'object', additionalProperties: false, required: ['matchLabels'], properties: { matchLabels: labelMap } },
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
        },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['port'],
            properties: { port: { type: 'string' }, path: { type: 'string', pattern: '^/' }, interval: duration, scrapeTimeout: duration },
          },
        },
      },
    },
  },
};

const PROMETHEUS_RULE = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata,
    spec: {
      type: 'object',
      required: ['groups'],
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'rules'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              rules: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['alert', 'expr'],
                  additionalProperties: false,
                  properties: {
                    alert: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
                    expr: { type: 'string', minLength: 1 },
                    for: duration,
                    labels: labelMap,
                    annotations: labelMap,
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validServiceMonitor = ajv.compile(SERVICE_MONITOR);
const validPrometheusRule = ajv.compile(PROMETHEUS_RULE);

function withMetrics(change: (metrics: Json) => void): Json {
  const values = defaults();
  change(values.metrics as Json);
  return values;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression (or Grafana's label_values()) reads: the identifiers that are
 * neither functions, keywords, label names of by/on clauses nor inside label matchers or ranges.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)/g, '$1');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const start = m.index ?? 0;
    const before = bare[start - 1];
    if (before !== undefined && /[0-9.$]/.test(before)) continue; // inside a number or a $variable
    if (/^\s*\(/.test(bare.slice(start + m[0].length))) continue; // a function
    if (!PROMQL_WORDS.has(m[0].toLowerCase())) names.add(m[0]);
  }
  return [...names];
}

/** Every query of the dashboard: panel targets and the templating variables' queries. */
function dashboardQueries(d: Json): string[] {
  const targets = (d.panels as Json[]).flatMap((p) => (p.targets as Json[]).map((t) => t.expr as string));
  const variables = (d.templating.list as Json[]).filter((v) => v.type === 'query').map((v) => (v.query as Json).query as string);
  return [...targets, ...variables];
}

/** Metrics an alert may read that other exporters serve: kube-state-metrics. */
const CLUSTER_METRICS = new Set(['kube_pod_container_status_restarts_total']);

describe('deploy: metrics, alerts and the Grafana dashboard', () => {
  it('by default: scrape annotations on the server pods, no ServiceMonitor, PrometheusRule or dashboard ConfigMap', () => {
    const objects = renderChartObjects(defaults());
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(dig(deployment, 'spec.template.metadata.annotations')).to.include({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '3000',
      'prometheus.io/path': '/metrics',
    });
    expect(objects.map((o) => o.kind)).not.to.include.members(['ServiceMonitor', 'PrometheusRule']);
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).not.to.include('release-chatpop-dashboard');
  });

  it('metrics.serviceMonitor.enabled: a ServiceMonitor of the CRD shape selecting the Service pods on its http port, and no scrape annotations', () => {
    const values = withMetrics((m) => {
      m.serviceMonitor.enabled = true;
      m.serviceMonitor.labels = { release: 'kube-prometheus-stack' };
    });
    const objects = renderChartObjects(values);
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors).to.have.length(1);
    const monitor = monitors[0];
    expect(validServiceMonitor(monitor), JSON.stringify(validServiceMonitor.errors)).to.equal(true);
    expect(monitor.metadata.labels).to.include({ release: 'kube-prometheus-stack' });
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(dig(monitor, 'spec.selector.matchLabels')).to.deep.equal(dig(service, 'spec.selector'));
    const portNames = (dig(service, 'spec.ports') as Json[]).map((p) => p.name);
    for (const e of dig(monitor, 'spec.endpoints') as Json[]) {
      expect(portNames).to.include(e.port);
      expect(e.path).to.equal('/metrics');
    }
    const annotations = dig(
      objects.find((o) => o.kind === 'Deployment'),
      'spec.template.metadata.annotations',
    ) as Json;
    expect(Object.keys(annotations).filter((k) => k.startsWith('prometheus.io/'))).to.deep.equal([]);
  });

  it('metrics.prometheusRule.enabled: a PrometheusRule of the CRD shape with the four alerts and the configured thresholds', () => {
    const values = withMetrics((m) => {
      m.prometheusRule.enabled = true;
      m.prometheusRule.sendP99Seconds = 0.4;
    });
    const [rule] = renderTemplateObjects('prometheusrule.yaml', values);
    expect(validPrometheusRule(rule), JSON.stringify(validPrometheusRule.errors)).to.equal(true);
    const rules = (dig(rule, 'spec.groups.0.rules') as Json[]).map((r) => [r.alert, r] as const);
    const byName = new Map(rules);
    expect([...byName.keys()]).to.have.members([
      'ChatPopCacheDown',
      'ChatPopRepairQueueGrowing',
      'ChatPopSendLatencyHigh',
      'ChatPopPodsRestarting',
    ]);
    expect(byName.get('ChatPopRepairQueueGrowing')!.for).to.equal('10m');
    expect(byName.get('ChatPopSendLatencyHigh')!.expr).to.match(/event="message:send".*> 0\.4$/);
    for (const [, r] of rules) expect(r.expr, r.alert).to.include('namespace="default"');
  });

  it('metrics.grafanaDashboard.enabled: a valid ConfigMap with the grafana_dashboard label', () => {
    const values = withMetrics((m) => {
      m.grafanaDashboard.enabled = true;
      m.grafanaDashboard.annotations = { grafana_folder: 'ChatPop' };
    });
    const [configMap] = renderTemplateObjects('configmap-dashboard.yaml', values) as K8sObject[];
    expect(configMap.kind).to.equal('ConfigMap');
    expect(configMap.metadata.labels).to.include({ grafana_dashboard: '1' });
    expect(configMap.metadata.annotations).to.deep.equal({ grafana_folder: 'ChatPop' });
    expect(Object.keys(configMap.data as Json)).to.deep.equal(['chatpop.json']);
    expect(kubernetesProblems(configMap)).to.deep.equal([]);
    const d = dashboard();
    expect(d.uid).to.be.a('string');
    for (const panel of d.panels as Json[]) {
      expect(panel.targets, panel.title).to.have.length.above(0);
      for (const t of panel.targets as Json[])
        expect(t.datasource, panel.title).to.deep.equal({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{x="y", pod=~"$pod"}[$__rate_interval]))) > 0.5'),
    ).to.deep.equal(['a_bucket']);
    expect(metricNames('label_values(b_total{namespace="$namespace"}, pod)')).to.deep.equal(['b_total']);
    expect(metricNames('max(c) - min by (pod) (d offset 5m) and on (pod) e == 1e3')).to.have.members(['c', 'd', 'e']);
  });

  describe('against a live /metrics', function () {
    this.timeout(60_000);
    let t: TestApp;
    before(async () => {
      t = await startTestApp(await startStack('postgres+redis'));
    });
    after(async () => {
      await t?.close();
      await t?.stack.dispose();
    });

    const exported = async (): Promise<{ families: Set<string>; samples: ReturnType<typeof parsePrometheus>['samples'] }> => {
      const { samples, types } = parsePrometheus(await (await fetch(`${t.base}/metrics`)).text());
      const families = new Set<string>();
      for (const [name, type] of types) {
        families.add(name);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) families.add(name + s);
        if (type === 'summary') for (const s of ['_sum', '_count']) families.add(name + s);
      }
      return { families, samples };
    };

    it('every query of the dashboard and every alert names a metric the server exports', async () => {
      const { families } = await exported();
      const queries = dashboardQueries(dashboard());
      const values = withMetrics((m) => (m.prometheusRule.enabled = true));
      const [rule] = renderTemplateObjects('prometheusrule.yaml', values);
      const alerts = (dig(rule, 'spec.groups.0.rules') as Json[]).map((r) => r.expr as string);
      expect(queries.length).to.be.above(10);
      for (const q of queries) {
        const names = metricNames(q);
        expect(names, q).to.have.length.above(0);
        for (const name of names) expect(families.has(name), `${name} in ${q}`).to.equal(true);
      }
      for (const q of alerts) {
        for (const name of metricNames(q)) expect(families.has(name) || CLUSTER_METRICS.has(name), `${name} in ${q}`).to.equal(true);
      }
    });

    it('chatpop_cache_up is 1 while Redis answers and 0 while it does not', async () => {
      const up = async () => (await exported()).samples.find((s) => s.name === 'chatpop_cache_up')?.value;
      expect(await up()).to.equal(1);
      await t.stack.redis!.pause();
      try {
        expect(await up()).to.equal(0);
      } finally {
        await t.stack.redis!.resume();
      }
    });
  });
});
