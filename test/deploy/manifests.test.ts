import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildShipped, findObject, KUSTOMIZATIONS, kustomizeBuild } from './helpers/kustomize';
import { kubernetesProblems } from './helpers/k8s-schema';
import { dig, K8sObject, podSpecOf, repoPath } from './helpers/repo';

describe('deploy: kustomize manifests', () => {
  for (const [key, dir] of Object.entries(KUSTOMIZATIONS)) {
    describe(dir, () => {
      let objects: K8sObject[];
      before(() => {
        objects = buildShipped(key as keyof typeof KUSTOMIZATIONS);
      });

      it('builds with kubectl kustomize into named objects', () => {
        expect(objects).to.not.be.empty;
        for (const o of objects) expect(o.metadata?.name, `${o.kind} without a name`).to.be.a('string').and.not.be.empty;
      });

      it('validates every object against the Kubernetes schema, unknown fields included', () => {
        const problems = objects.flatMap(kubernetesProblems);
        expect(problems, problems.join('\n')).to.deep.equal([]);
      });

      it('runs every container non-root, read-only, without privilege escalation or capabilities', () => {
        for (const o of objects) {
          const pod = podSpecOf(o);
          if (!pod) continue;
          expect(pod.securityContext?.runAsNonRoot, `${o.kind}/${o.metadata.name}`).to.equal(true);
          for (const c of pod.containers) {
            const where = `${o.kind}/${o.metadata.name} ${c.name}`;
            expect(c.securityContext?.readOnlyRootFilesystem, where).to.equal(true);
            expect(c.securityContext?.allowPrivilegeEscalation, where).to.equal(false);
            expect(dig(c.securityContext, 'capabilities.drop'), where).to.deep.equal(['ALL']);
          }
          const mounts = pod.containers.flatMap((c) => (dig(c, 'volumeMounts') as { mountPath: string }[] | undefined) ?? []);
          expect(
            mounts.map((m) => m.mountPath),
            `${o.kind}/${o.metadata.name} writable dirs`,
          ).to.include.members(['/app/data', '/tmp']);
        }
      });
    });
  }

  it('the base holds every long-running object the chart renders', () => {
    const kinds = buildShipped('base')
      .map((o) => o.kind)
      .sort();
    expect(kinds).to.include.members([
      'ConfigMap',
      'CronJob',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    expect(kinds.filter((k) => k === 'CronJob')).to.have.length(3);
  });

  it('the overlay points at a Redis Cluster, namespaces every object and pins the image', () => {
    const overlay = buildShipped('overlay');
    const config = findObject(overlay, 'ConfigMap', 'chatpop') as K8sObject & { data: Record<string, string> };
    const nodes = config.data.REDIS_CLUSTER_NODES.split(',');
    expect(nodes.length).to.be.at.least(3);
    for (const n of nodes) expect(n).to.match(/^[^:\s]+:\d{1,5}$/);
    for (const o of overlay) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).to.equal('chatpop');
    const binding = findObject(overlay, 'RoleBinding') as K8sObject & { subjects: { namespace: string }[] };
    expect(binding.subjects[0].namespace).to.equal('chatpop');
    const image = dig(findObject(overlay, 'Deployment'), 'spec.template.spec.containers.0.image');
    expect(image).to.match(/^registry\.example\.com\/chatpop:/);
  });

  it('adds ingress cookie affinity only with the long-polling component', () => {
    const annotationsOf = (objects: K8sObject[]) => findObject(objects, 'Ingress').metadata.annotations ?? {};
    expect(annotationsOf(buildShipped('base'))).to.not.have.property('nginx.ingress.kubernetes.io/affinity');
    expect(annotationsOf(buildShipped('overlay'))).to.not.have.property('nginx.ingress.kubernetes.io/affinity');
    // Build base + component from a copy: kustomize refuses paths outside a kustomization's root.
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpop-k8s-'));
    try {
      cpSync(repoPath('k8s'), path.join(dir, 'k8s'), { recursive: true });
      const probe = path.join(dir, 'k8s', 'overlays', 'long-polling-check');
      cpSync(path.join(dir, 'k8s', 'overlays', 'redis-cluster-postgres'), probe, { recursive: true });
      writeFileSync(path.join(probe, 'kustomization.yaml'), 'resources:\n  - ../../base\ncomponents:\n  - ../../components/long-polling\n');
      const withComponent = kustomizeBuild(probe);
      const annotations = annotationsOf(withComponent);
      expect(annotations['nginx.ingress.kubernetes.io/affinity']).to.equal('cookie');
      expect(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).to.equal('3600');
      expect(withComponent.flatMap(kubernetesProblems)).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validator is live: it rejects a wrong type and a misspelt field', () => {
    const deployment = structuredClone(findObject(buildShipped('base'), 'Deployment'));
    const container = dig(deployment, 'spec.template.spec.containers.0') as Record<string, unknown>;
    (container.ports as { containerPort: unknown }[])[0].containerPort = 'http';
    container.readinessprobe = container.readinessProbe;
    const problems = kubernetesProblems(deployment).join('\n');
    expect(problems).to.match(/containerPort must be integer/);
    expect(problems).to.match(/readinessprobe: not a field of V1Container/);
  });
});
