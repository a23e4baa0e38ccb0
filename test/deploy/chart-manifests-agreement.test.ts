import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { CHART_DIR, readTemplate, renderChartObjects } from './helpers/chart-template';
import { runtimeImage } from './helpers/dockerfile';
import { buildShipped, findObject, plainHookJobs } from './helpers/kustomize';
import { dig, K8sObject, podSpecOf, readRepoFile } from './helpers/repo';

type Json = Record<string, unknown>;
const values = (): Json => YAML.parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')) as Json;
const container = (o: K8sObject): Json => podSpecOf(o)!.containers[0] as Json;
const argsOf = (o: K8sObject): string[] => container(o).args as string[];
const byArgs = (objects: K8sObject[], kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [argsOf(o).join(' '), o]));

describe('deploy: the chart and the plain manifests agree', () => {
  let chart: K8sObject[];
  let base: K8sObject[];
  before(() => {
    const v = values();
    (v.ingress as Json).enabled = true;
    chart = renderChartObjects(v);
    base = buildShipped('base');
  });

  it('on the server container: ports, probes, preStop, grace period and security context', () => {
    const fromChart = findObject(chart, 'Deployment');
    const fromBase = findObject(base, 'Deployment');
    for (const field of [
      'ports',
      'startupProbe',
      'livenessProbe',
      'readinessProbe',
      'lifecycle',
      'securityContext',
      'volumeMounts',
      'resources',
    ]) {
      expect(container(fromChart)[field], field).to.deep.equal(container(fromBase)[field]);
    }
    for (const field of ['terminationGracePeriodSeconds', 'securityContext', 'volumes']) {
      expect(podSpecOf(fromChart)![field], field).to.deep.equal(podSpecOf(fromBase)![field]);
    }
    expect(dig(fromChart, 'spec.strategy')).to.deep.equal(dig(fromBase, 'spec.strategy'));
  });

  it('probes use the contract routes: startup and liveness /health, readiness /ready, on the http port', () => {
    for (const deployment of [findObject(chart, 'Deployment'), findObject(base, 'Deployment')]) {
      const c = container(deployment);
      expect(dig(c, 'startupProbe.httpGet')).to.deep.equal({ path: '/health', port: 'http' });
      expect(dig(c, 'livenessProbe.httpGet')).to.deep.equal({ path: '/health', port: 'http' });
      expect(dig(c, 'readinessProbe.httpGet')).to.deep.equal({ path: '/ready', port: 'http' });
    }
  });

  it('on ports: the container listens on the image PORT and the Service targets it by name', () => {
    const image = runtimeImage();
    for (const objects of [chart, base]) {
      const port = (container(findObject(objects, 'Deployment')).ports as Json[])[0];
      expect(port).to.include({ name: 'http', containerPort: Number(image.env.PORT) });
      expect(image.exposed).to.include(port.containerPort);
      expect((findObject(objects, 'ConfigMap').data as Json).PORT).to.equal(String(port.containerPort));
      expect(dig(findObject(objects, 'Service'), 'spec.ports')).to.deep.equal([
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      ]);
    }
    const chartRule = dig(findObject(chart, 'Ingress'), 'spec.rules.0.http.paths.0.backend.service.port');
    expect(chartRule).to.deep.equal(dig(findObject(base, 'Ingress'), 'spec.rules.0.http.paths.0.backend.service.port'));
  });

  it('on the ConfigMap keys and their defaults', () => {
    expect(findObject(chart, 'ConfigMap').data).to.deep.equal(findObject(base, 'ConfigMap').data);
  });

  it('on CronJob schedules, commands, concurrency, history limits and backoff', () => {
    const fromChart = byArgs(chart, 'CronJob');
    const fromBase = byArgs(base, 'CronJob');
    expect([...fromChart.keys()].sort()).to.deep.equal([...fromBase.keys()].sort());
    expect([...fromBase.keys()].sort()).to.deep.equal([
      'clear-cache k8s-status',
      'clear-cache maintenance',
      'clear-cache old --hours=168 --force',
    ]);
    const expectedSchedule: Record<string, string> = {
      'clear-cache k8s-status': '0 0 1 1 *', // suspended: run on demand only
      'clear-cache maintenance': '0 2 * * *',
      'clear-cache old --hours=168 --force': '0 3 * * 0',
    };
    for (const [args, b] of fromBase) {
      const c = fromChart.get(args)!;
      expect(dig(b, 'spec.schedule'), args).to.equal(expectedSchedule[args]);
      for (const field of [
        'schedule',
        'suspend',
        'concurrencyPolicy',
        'successfulJobsHistoryLimit',
        'failedJobsHistoryLimit',
        'startingDeadlineSeconds',
      ]) {
        expect(dig(c, `spec.${field}`), `${args} ${field}`).to.deep.equal(dig(b, `spec.${field}`));
      }
      expect(dig(b, 'spec.concurrencyPolicy')).to.equal('Forbid');
      for (const field of [
        'backoffLimit',
        'activeDeadlineSeconds',
        'ttlSecondsAfterFinished',
        'template.spec.restartPolicy',
        'template.spec.automountServiceAccountToken',
        'template.spec.serviceAccountName',
      ]) {
        const chartValue = dig(c, `spec.jobTemplate.spec.${field}`);
        if (field.endsWith('serviceAccountName')) continue; // the chart's name is release-scoped
        expect(chartValue, `${args} ${field}`).to.deep.equal(dig(b, `spec.jobTemplate.spec.${field}`));
      }
    }
  });

  it("on hook phases: Helm hook annotations equal the plain Jobs' chatpop.io/hook", () => {
    const chartHooks = byArgs(
      chart.filter((o) => o.kind === 'Job'),
      'Job',
    );
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
    for (const objects of [chart, base]) {
      expect(findObject(objects, 'Role').rules).to.deep.equal([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
      const binding = findObject(objects, 'RoleBinding') as K8sObject & { roleRef: Json; subjects: Json[] };
      expect(binding.roleRef).to.include({ kind: 'Role', name: findObject(objects, 'Role').metadata.name });
      expect(binding.subjects).to.have.length(1);
      expect(binding.subjects[0]).to.include({ kind: 'ServiceAccount', name: findObject(objects, 'ServiceAccount').metadata.name });
      for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'CronJob')) {
        expect(podSpecOf(o)!.serviceAccountName, `${o.kind}/${o.metadata.name}`).to.equal(binding.subjects[0].name);
      }
    }
  });

  it('on autoscaling and disruption budget', () => {
    for (const field of ['minReplicas', 'maxReplicas', 'metrics', 'behavior']) {
      expect(dig(findObject(chart, 'HorizontalPodAutoscaler'), `spec.${field}`), field).to.deep.equal(
        dig(findObject(base, 'HorizontalPodAutoscaler'), `spec.${field}`),
      );
    }
    expect(dig(findObject(chart, 'PodDisruptionBudget'), 'spec.minAvailable')).to.equal(
      dig(findObject(base, 'PodDisruptionBudget'), 'spec.minAvailable'),
    );
    // With autoscaling on, replicas is left to the HPA in both.
    expect(readTemplate('deployment.yaml')).to.match(/if not \.Values\.autoscaling\.enabled \}\}\s*\n\s*replicas:/);
    expect(dig(findObject(base, 'Deployment'), 'spec.replicas')).to.equal(undefined);
  });

  it('every job command is a program the image puts on PATH', () => {
    const onPath = Object.keys(runtimeImage().pathLinks);
    const bins = Object.keys((JSON.parse(readRepoFile('package.json')) as { bin: Json }).bin);
    expect(onPath.sort()).to.deep.equal(bins.sort());
    const jobs = [...chart, ...base, ...plainHookJobs()].filter((o) => o.kind === 'Job' || o.kind === 'CronJob');
    expect(jobs.length).to.be.at.least(10);
    for (const o of jobs) {
      const c = container(o);
      expect(c.command, `${o.kind}/${o.metadata.name}: command would replace the tini entrypoint`).to.equal(undefined);
      expect(onPath, `${o.kind}/${o.metadata.name}`).to.include(argsOf(o)[0]);
    }
  });

  it('selects only server pods for the Service and the PodDisruptionBudget, never job pods', () => {
    for (const objects of [chart, base]) {
      const serverLabels = dig(findObject(objects, 'Deployment'), 'spec.template.metadata.labels') as Json;
      const selectors = [
        dig(findObject(objects, 'Service'), 'spec.selector'),
        dig(findObject(objects, 'PodDisruptionBudget'), 'spec.selector.matchLabels'),
      ] as Json[];
      for (const selector of selectors) {
        expect(serverLabels).to.include(selector);
        for (const job of objects.filter((o) => o.kind === 'CronJob' || o.kind === 'Job')) {
          const labels = (
            job.kind === 'CronJob' ? dig(job, 'spec.jobTemplate.spec.template.metadata.labels') : dig(job, 'spec.template.metadata.labels')
          ) as Json;
          const matches = Object.entries(selector).every(([k, v]) => labels?.[k] === v);
          expect(matches, `${job.kind}/${job.metadata.name} pods match a server selector`).to.equal(false);
        }
      }
    }
  });
});
