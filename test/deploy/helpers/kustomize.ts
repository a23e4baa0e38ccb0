import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { K8sObject, repoPath } from './repo';

/** Builds a kustomization with `kubectl kustomize` (offline) and parses every document. */
export function kustomizeBuild(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not on PATH: the manifests checks need `kubectl kustomize`');
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseDocuments(out, dir);
}

/** Parses a multi-document YAML stream; a syntax error in any document fails. */
export function parseDocuments(text: string, source: string): K8sObject[] {
  const docs = YAML.parseAllDocuments(text);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as K8sObject);
  }
  return objects;
}

/** Every kustomization this repository ships, relative to the repo root. */
export const KUSTOMIZATIONS = {
  base: 'k8s/base',
  overlay: 'k8s/overlays/redis-cluster-postgres',
  migrate: 'k8s/jobs/migrate',
  preUpgrade: 'k8s/jobs/pre-upgrade',
  postUpgrade: 'k8s/jobs/post-upgrade',
} as const;

export const buildShipped = (key: keyof typeof KUSTOMIZATIONS): K8sObject[] => kustomizeBuild(repoPath(KUSTOMIZATIONS[key]));

/** All one-off Jobs of the plain manifests (the Helm hooks' counterparts). */
export const plainHookJobs = (): K8sObject[] => [...buildShipped('migrate'), ...buildShipped('preUpgrade'), ...buildShipped('postUpgrade')];

export const findObject = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found)
    throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
};
