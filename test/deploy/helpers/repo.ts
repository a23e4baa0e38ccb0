import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The checkout's root: the nearest folder above this file with package.json (works from src and dist). */
export const repoRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

export const repoPath = (...parts: string[]): string => path.join(repoRoot, ...parts);

export const readRepoFile = (rel: string): string => readFileSync(repoPath(rel), 'utf8');

export const readRepoYaml = <T = unknown>(rel: string): T => YAML.parse(readRepoFile(rel)) as T;

/** A Kubernetes object as parsed YAML: only the type meta is known. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Reads a nested field by dotted path (numbers index arrays); undefined when any step is missing. */
export function dig(value: unknown, dotted: string): unknown {
  let cur: unknown = value;
  for (const key of dotted.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface PodSpec {
  containers: { name: string; args?: string[]; securityContext?: Record<string, unknown>; [k: string]: unknown }[];
  securityContext?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The pod spec inside a Deployment, Job or CronJob; undefined for objects without pods. */
export function podSpecOf(obj: K8sObject): PodSpec | undefined {
  if (obj.kind === 'Deployment' || obj.kind === 'Job') return dig(obj, 'spec.template.spec') as PodSpec;
  if (obj.kind === 'CronJob') return dig(obj, 'spec.jobTemplate.spec.template.spec') as PodSpec;
  return undefined;
}
