import { expect } from 'chai';
import { chartDefaults, readTemplate, renderChartObjects } from './helpers/chart-template';
import { runtimeImage } from './helpers/dockerfile';
import { findObject, plainHookJobs } from './helpers/kustomize';
import { dig, K8sObject, podSpecOf, readRepoFile } from './helpers/repo';

type Json = Record<string, unknown>;
const container = (o: K8sObject): Json => podSpecOf(o)!.containers[0] as Json;
const argsOf = (o: K8sObject): string[] => container(o).args as string[];
const byArgs = (objects: K8sObject[], kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [argsOf(o).join(' '), o]));

/**
 * k8s/base and k8s/jobs are the chart's rendering (k8s-rendering.test.ts keeps them fresh). What
 * stays here: the chart against the image and the contract, and the hook phases in both forms.
 */
describe('deploy: the chart agrees with the image and the contract', () => {
  let chart: K8sObject[];
  before(() => {
    const v = chartDefaults();
    v.ingress.enabled = true;
    chart = renderChartObjects(v);
  });

  it('probes use the contract routes: startup and liveness /health, readiness /ready, on the http port', () => {
    const c = container(findObject(chart, 'Deployment'));
    expect(dig(c, 'startupProbe.httpGet')).to.deep.equal({ path: '/health', port: 'http' });
    expect(dig(c, 'livenessProbe.httpGet')).to.deep.equal({ path: '/health', port: 'http' });
    expect(dig(c, 'readinessProbe.httpGet')).to.deep.equal({ path: '/ready', port: 'http' });
  });

  it('on ports: the container listens on the image PORT and the Service and Ingress reach it by name', () => {
    const image = runtimeImage();
    const port = (container(findObject(chart, 'Deployment')).ports as Json[])[0];
    expect(port).to.include({ name: 'http', containerPort: Number(image.env.PORT) });
    expect(image.exposed).to.include(port.containerPort);
    expect((findObject(chart, 'ConfigMap').data as Json).PORT).to.equal(String(port.containerPort));
    expect(dig(findObject(chart, 'Service'), 'spec.ports')).to.deep.equal([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(dig(findObject(chart, 'Ingress'), 'spec.rules.0.http.paths.0.backend.service.port')).to.deep.equal({ number: 80 });
  });

  it('CronJobs: schedules and commands, never overlapping', () => {
    const cronJobs = byArgs(chart, 'CronJob');
    const schedules = Object.fromEntries([...cronJobs].map(([args, o]) => [args, dig(o, 'spec.schedule')]));
    expect(schedules).to.deep.equal({
      'clear-cache k8s-status': '0 0 1 1 *', // suspended: run on demand only
      'clear-cache maintenance': '0 2 * * *',
      'clear-cache old --hours=168 --force': '0 3 * * 0',
    });
    for (const [args, o] of cronJobs) expect(dig(o, 'spec.concurrencyPolicy'), args).to.equal('Forbid');
    // With autoscaling on, replicas is left to the HPA.
    expect(dig(findObject(chart, 'Deployment'), 'spec.replicas')).to.equal(undefined);
  });

  it("hook phases: Helm hook annotations equal the plain Jobs' chatpop.io/hook", () => {
    const chartHooks = byArgs(chart, 'Job');
    const plainHooks = byArgs(plainHookJobs(), 'Job');
    const phases = (m: Map<string, K8sObject>, key: string) =>
      Object.fromEntries([...m].map(([args, o]) => [args, o.metadata.annotations?.[key]]));
    const expected = {
      'migrate up': 'pre-install,pre-upgrade',
      'clear-cache --pre-upgrade': 'pre-upgrade',
      'clear-cache --post-upgrade': 'post-upgrade',
    };
    expect(phases(chartHooks, 'helm.sh/hook')).to.deep.equal(expected);
    expect(phases(plainHooks, 'chatpop.io/hook')).to.deep.equal(expected);
    // Migrations first, then the cache preparation; the config and secret exist before both.
    const weight = (o: K8sObject) => Number(o.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
    expect(weight(chartHooks.get('migrate up')!)).to.be.below(weight(chartHooks.get('clear-cache --pre-upgrade')!));
    for (const kind of ['ConfigMap', 'Secret']) {
      const o = findObject(chart, kind);
      expect(o.metadata.annotations?.['helm.sh/hook'], kind).to.equal('pre-install,pre-upgrade');
      expect(weight(o), kind).to.be.below(weight(chartHooks.get('migrate up')!));
    }
  });

  it("on RBAC: only get and list on pods, bound to the pods' ServiceAccount", () => {
    expect(findObject(chart, 'Role').rules).to.deep.equal([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const binding = findObject(chart, 'RoleBinding') as K8sObject & { roleRef: Json; subjects: Json[] };
    expect(binding.roleRef).to.include({ kind: 'Role', name: findObject(chart, 'Role').metadata.name });
    expect(binding.subjects).to.have.length(1);
    expect(binding.subjects[0]).to.include({ kind: 'ServiceAccount', name: findObject(chart, 'ServiceAccount').metadata.name });
    for (const o of chart.filter((x) => x.kind === 'Deployment' || x.kind === 'CronJob')) {
      expect(podSpecOf(o)!.serviceAccountName, `${o.kind}/${o.metadata.name}`).to.equal(binding.subjects[0].name);
    }
  });

  it('every job command is a program the image puts on PATH', () => {
    const onPath = Object.keys(runtimeImage().pathLinks);
    const bins = Object.keys((JSON.parse(readRepoFile('package.json')) as { bin: Json }).bin);
    expect(onPath.sort()).to.deep.equal(bins.sort());
    const jobs = [...chart, ...plainHookJobs()].filter((o) => o.kind === 'Job' || o.kind === 'CronJob');
    expect(jobs.length).to.be.at.least(9);
    for (const o of jobs) {
      const c = container(o);
      expect(c.command, `${o.kind}/${o.metadata.name}: command would replace the tini entrypoint`).to.equal(undefined);
      expect(onPath, `${o.kind}/${o.metadata.name}`).to.include(argsOf(o)[0]);
    }
  });

  it('selects only server pods for the Service and the PodDisruptionBudget, never job pods', () => {
    const serverLabels = dig(findObject(chart, 'Deployment'), 'spec.template.metadata.labels') as Json;
    const selectors = [
      dig(findObject(chart, 'Service'), 'spec.selector'),
      dig(findObject(chart, 'PodDisruptionBudget'), 'spec.selector.matchLabels'),
    ] as Json[];
    for (const selector of selectors) {
      expect(serverLabels).to.include(selector);
      for (const job of chart.filter((o) => o.kind === 'CronJob' || o.kind === 'Job')) {
        const labels = (
          job.kind === 'CronJob' ? dig(job, 'spec.jobTemplate.spec.template.metadata.labels') : dig(job, 'spec.template.metadata.labels')
        ) as Json;
        const matches = Object.entries(selector).every(([k, v]) => labels?.[k] === v);
        expect(matches, `${job.kind}/${job.metadata.name} pods match a server selector`).to.equal(false);
      }
    }
  });

  it('the Deployment template leaves replicas to the HPA when autoscaling is on', () => {
    expect(readTemplate('deployment.yaml')).to.match(/if not \.Values\.autoscaling\.enabled \}\}\s*\n\s*replicas:/);
    const v = chartDefaults();
    v.autoscaling.enabled = false;
    expect(dig(findObject(renderChartObjects(v), 'Deployment'), 'spec.replicas')).to.equal(v.replicaCount);
  });
});
