import * as models from 'kubernetes-models';
import * as client from '@kubernetes/client-node';
import { K8sObject } from './repo';

type ModelClass = new (data: unknown) => { validate(): void };

/** The kubernetes-models class for an object's apiVersion and kind (apps/v1 → models.apps.v1). */
export function modelClassFor(apiVersion: string, kind: string): ModelClass {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  // Group names become camelCase keys: rbac.authorization.k8s.io → rbacAuthorizationK8sIo.
  const groupKey = group.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase());
  const root = models as unknown as Record<string, Record<string, Record<string, ModelClass>>>;
  const versions = group === '' ? { [version]: root[version] as unknown as Record<string, ModelClass> } : root[groupKey];
  const cls = versions?.[version]?.[kind];
  if (typeof cls !== 'function') throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
  return cls;
}

/** Validates against the Kubernetes OpenAPI schema (kubernetes-models); throws with the failing paths. */
export function validateSchema(obj: K8sObject): void {
  const Cls = modelClassFor(obj.apiVersion, obj.kind);
  new Cls(obj).validate();
}

interface Attribute {
  baseName: string;
  type: string;
}
type Typed = { getAttributeTypeMap(): Attribute[] };

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'object', 'any', 'IntOrString']);

/**
 * Field names the Kubernetes API does not know, found by walking the object with the generated
 * type maps of @kubernetes/client-node. kubernetes-models' schemas allow unknown fields (the API
 * server drops them silently), so a typo such as `readinessprobe` would otherwise pass.
 */
export function unknownFields(obj: K8sObject): string[] {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  void group;
  const typeName = `${version.charAt(0).toUpperCase()}${version.slice(1)}${obj.kind}`;
  const problems: string[] = [];
  walk(obj, typeName, obj.kind, problems);
  return problems;
}

function walk(value: unknown, type: string, where: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1], `${where}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, map[1], `${where}.${k}`, problems);
    return;
  }
  if (PRIMITIVES.has(type)) return;
  const cls = (client as unknown as Record<string, Typed | undefined>)[type];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function') {
    problems.push(`${where}: unknown type ${type}`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return; // wrong shapes are the schema's job
  const attributes = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childType = attributes.get(key);
    if (childType === undefined) problems.push(`${where}.${key}: not a field of ${type}`);
    else walk(child, childType, `${where}.${key}`, problems);
  }
}

/** Both checks: schema and unknown fields, as one list of problems (empty when valid). */
export function kubernetesProblems(obj: K8sObject): string[] {
  const label = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  try {
    validateSchema(obj);
  } catch (err) {
    problems.push(`${label}: ${(err as Error).message}`);
  }
  for (const p of unknownFields(obj)) problems.push(`${label}: ${p}`);
  return problems;
}
