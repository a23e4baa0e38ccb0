import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chartDefaults, renderChartObjects, renderTemplateObjects } from './helpers/chart-template';
import { buildShipped, findObject, kustomizeBuild, plainHookJobs } from './helpers/kustomize';
import { kubernetesProblems } from './helpers/k8s-schema';
import { dig, K8sObject, podSpecOf, repoPath } from './helpers/repo';

type Json = Record<string, any>;
const defaults = (): Json => chartDefaults();
const withIngress = (v = defaults()): Json => ((v.ingress.enabled = true), v);

const pathsOf = (ingress: K8sObject): string[][] =>
  (dig(ingress, 'spec.rules') as Json[]).map((r) => (r.http.paths as Json[]).map((p) => `${p.pathType} ${p.path}`));

describe('deploy: hardening, chart and manifests alike (#22 hygiene)', () => {
  let chart: K8sObject[];
  let base: K8sObject[];
  before(() => {
    chart = renderChartObjects(withIngress());
    base = buildShipped('base');
  });

  describe('NetworkPolicy', () => {
    it('admits only the ingress controller and Prometheus, both to the http port, into every ChatPop pod', () => {
      for (const [label, objects] of [
        ['chart', chart],
        ['base', base],
      ] as const) {
        const policy = findObject(objects, 'NetworkPolicy');
        expect(kubernetesProblems(policy), label).to.deep.equal([]);
        expect(dig(policy, 'spec.policyTypes'), label).to.deep.equal(['Ingress']);
        // Every pod of the release: the server and the Job pods (which listen on nothing).
        const selector = dig(policy, 'spec.podSelector.matchLabels') as Json;
        expect(Object.keys(selector).sort(), label).to.deep.equal(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
        const rules = dig(policy, 'spec.ingress') as Json[];
        expect(rules, label).to.have.length(2);
        for (const rule of rules) {
          expect(rule.ports, label).to.deep.equal([{ port: 'http', protocol: 'TCP' }]);
          expect(rule.from, label).to.have.length(1);
          // Both selectors in one peer: pods matching both, never "every pod of a namespace".
          expect(Object.keys(rule.from[0]).sort(), label).to.deep.equal(['namespaceSelector', 'podSelector']);
        }
        const server = dig(findObject(objects, 'Deployment'), 'spec.template.spec.containers.0.ports.0') as Json;
        expect(server.name).to.equal('http');
      }
      expect(dig(findObject(chart, 'NetworkPolicy'), 'spec.ingress')).to.deep.equal(dig(findObject(base, 'NetworkPolicy'), 'spec.ingress'));
    });

    it('takes the ingress controller and Prometheus selectors from values, and can be switched off', () => {
      const v = withIngress();
      v.networkPolicy.ingressController = {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      };
      v.networkPolicy.prometheus.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } };
      const [policy] = renderTemplateObjects('networkpolicy.yaml', v);
      const [controller, prometheus] = (dig(policy, 'spec.ingress') as Json[]).map((r) => r.from[0]);
      expect(controller).to.deep.equal(v.networkPolicy.ingressController);
      expect(prometheus.namespaceSelector).to.deep.equal({ matchLabels: { 'kubernetes.io/metadata.name': 'observability' } });
      v.networkPolicy.enabled = false;
      expect(renderTemplateObjects('networkpolicy.yaml', v)).to.deep.equal([]);
    });
  });

  describe('Ingress', () => {
    const WEB_API_SOCKET = ['Exact /', 'Prefix /web', 'Prefix /api', 'Prefix /socket.io'];

    it('routes the web chat (the page at / exactly, its assets under /web), /api and /socket.io by default, never /metrics', () => {
      for (const objects of [chart, base]) {
        for (const paths of pathsOf(findObject(objects, 'Ingress'))) expect(paths).to.deep.equal(WEB_API_SOCKET);
      }
    });

    it('routes /admin only with ingress.exposeAdmin, which is off by default', () => {
      const v = withIngress();
      expect(v.ingress.exposeAdmin).to.equal(false);
      v.ingress.exposeAdmin = true;
      const [ingress] = renderTemplateObjects('ingress.yaml', v);
      for (const paths of pathsOf(ingress)) expect(paths).to.deep.equal([...WEB_API_SOCKET, 'Prefix /admin']);
    });

    it('refuses to render "/" other than Exact (it would route /metrics), a /metrics path, and /admin without exposeAdmin', () => {
      const withPaths = (...paths: [string, string][]) => {
        const v = withIngress();
        v.ingress.hosts[0].paths = paths.map(([pathType, p]) => ({ path: p, pathType }));
        return () => renderTemplateObjects('ingress.yaml', v);
      };
      expect(withPaths(['Prefix', '/'])).to.throw(/ingress\.yaml:\d+: error calling fail: ingress path \/ would expose \/metrics/);
      expect(withPaths(['ImplementationSpecific', '/'])).to.throw(/would expose \/metrics/);
      expect(withPaths(['Exact', '/metrics'])).to.throw(/ingress path \/metrics would expose \/metrics/);
      expect(withPaths(['Prefix', '/admin'])).to.throw(/ingress path \/admin needs ingress\.exposeAdmin: true/);
      expect(pathsOf(withPaths(['Exact', '/'], ['Prefix', '/api'])()[0])).to.deep.equal([['Exact /', 'Prefix /api']]);
    });
  });

  it('mounts a Kubernetes API token only in the pod that runs `clear-cache k8s-status`', () => {
    for (const [label, objects] of [
      ['chart', chart],
      ['base', base],
    ] as const) {
      expect(findObject(objects, 'ServiceAccount').automountServiceAccountToken, label).to.equal(false);
      const pods = [...objects, ...(label === 'base' ? plainHookJobs() : [])].filter((o) => podSpecOf(o));
      expect(pods.length, label).to.be.at.least(4);
      for (const o of pods) {
        const spec = podSpecOf(o)!;
        const callsApi = spec.containers.some((c) => c.args?.includes('k8s-status'));
        expect(spec.automountServiceAccountToken, `${label} ${o.kind}/${o.metadata.name}`).to.equal(callsApi);
      }
      const status = objects.find((o) => o.kind === 'CronJob' && podSpecOf(o)!.containers[0].args?.includes('k8s-status'))!;
      expect(dig(status, 'spec.suspend'), 'run on demand only').to.equal(true);
    }
  });

  it("binds the pod-reader Role to the ServiceAccount of kustomize's namespace, never a hard-coded default", () => {
    const subject = (objects: K8sObject[]) => (findObject(objects, 'RoleBinding') as K8sObject & { subjects: Json[] }).subjects[0];
    expect(subject(base)).to.not.have.property('namespace');
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpop-ns-'));
    try {
      cpSync(repoPath('k8s'), path.join(dir, 'k8s'), { recursive: true });
      const probe = path.join(dir, 'k8s', 'overlays', 'namespace-check');
      cpSync(path.join(dir, 'k8s', 'overlays', 'redis-cluster-postgres'), probe, { recursive: true });
      writeFileSync(path.join(probe, 'kustomization.yaml'), 'namespace: team-chat\nresources:\n  - ../../base\n');
      expect(subject(kustomizeBuild(probe))).to.include({ kind: 'ServiceAccount', name: 'chatpop', namespace: 'team-chat' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells the server it sits behind one proxy: PROXY_HOPS=1', () => {
    for (const objects of [chart, base]) expect((findObject(objects, 'ConfigMap').data as Json).PROXY_HOPS).to.equal('1');
  });
});
