import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { OpsError, causeText } from './ops-error';

/** Pods of the ChatPop deployment (the chart and the manifests label them so). */
export const DEFAULT_POD_SELECTOR = 'app.kubernetes.io/name=chatpop,app.kubernetes.io/component=server';
/** Where Kubernetes mounts the pod's service account. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The pods API must answer within this. @default 10000 */
const API_TIMEOUT_MS = 10_000;

export interface PodRow {
  name: string;
  phase: string;
  /** containers ready / containers */
  ready: string;
  /** the pod's Ready condition */
  is_ready: boolean;
  restarts: number;
  age_seconds: number | null;
  /** why a container is not running (CrashLoopBackOff, ImagePullBackOff, …) */
  reason: string | null;
  node: string | null;
  ip: string | null;
}

export interface PodsReport {
  namespace: string;
  selector: string;
  source: 'in-cluster' | 'kubeconfig';
  server: string;
  pods: PodRow[];
  summary: { total: number; ready: number; restarts: number };
}

export interface PodsOptions {
  /** @default POD_NAMESPACE, then the service account's namespace, then the kubeconfig context's, then `default` */
  namespace?: string;
  /** @default DEFAULT_POD_SELECTOR */
  selector?: string;
  env?: NodeJS.ProcessEnv;
  now?: number;
}

export function toPodRow(pod: V1Pod, now = Date.now()): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : null;
  const waiting = statuses.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean) ?? pod.status?.reason ?? null;
  return {
    name: pod.metadata?.name ?? '?',
    phase: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    ready: `${statuses.filter((c) => c.ready).length}/${pod.spec?.containers?.length ?? statuses.length}`,
    is_ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: statuses.reduce((a, c) => a + (c.restartCount ?? 0), 0),
    age_seconds: created === null ? null : Math.max(0, Math.round((now - created) / 1000)),
    reason: waiting ?? null,
    node: pod.spec?.nodeName ?? null,
    ip: pod.status?.podIP ?? null,
  };
}

/** Lists the deployment's pods through the Kubernetes API, in-cluster or from KUBECONFIG. */
export async function listPods(opts: PodsOptions = {}): Promise<PodsReport> {
  const env = opts.env ?? process.env;
  const saDir = SERVICE_ACCOUNT_DIR;
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(join(saDir, 'token'));
  const homeConfigPath = join(env.HOME ?? homedir(), '.kube', 'config');
  const homeConfig = existsSync(homeConfigPath);
  if (!env.KUBECONFIG && !inCluster && !homeConfig) {
    // Every place the client would have looked, so the operator sees which one to fix.
    const serviceAccount = env.KUBERNETES_SERVICE_HOST ? `${join(saDir, 'token')} missing` : 'KUBERNETES_SERVICE_HOST unset';
    throw new OpsError(
      `no Kubernetes API to ask; looked at: the in-cluster service account (${serviceAccount}), KUBECONFIG (unset), ${homeConfigPath} (missing)`,
    );
  }
  for (const file of (env.KUBECONFIG ?? '').split(':').filter(Boolean)) {
    if (!existsSync(file)) throw new OpsError(`KUBECONFIG names ${file}, which does not exist`);
  }
  // Loaded only now: the client takes most of a second to load and only this command needs it.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const source: PodsReport['source'] = env.KUBECONFIG || !inCluster ? 'kubeconfig' : 'in-cluster';
  if (source === 'in-cluster') kc.loadFromCluster();
  else kc.loadFromDefault();
  const server = kc.getCurrentCluster()?.server ?? '?';
  const saNamespace = existsSync(join(saDir, 'namespace')) ? readFileSync(join(saDir, 'namespace'), 'utf8').trim() : undefined;
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const namespace = opts.namespace || env.POD_NAMESPACE || saNamespace || contextNamespace || 'default';
  const selector = opts.selector ?? DEFAULT_POD_SELECTOR;

  const api = kc.makeApiClient(k8s.CoreV1Api);
  let timer: NodeJS.Timeout | undefined;
  let list;
  try {
    list = await Promise.race([
      api.listNamespacedPod({ namespace, labelSelector: selector }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${API_TIMEOUT_MS / 1000} s`)), API_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (typeof status === 'number') {
      const body = (err as { body?: unknown }).body;
      const message =
        typeof body === 'string' ? (safeJson(body)?.message ?? body) : ((body as { message?: string })?.message ?? causeText(err));
      throw new OpsError(
        `the Kubernetes API at ${server} answered ${status} listing pods in ${namespace}: ${String(message).split('\n')[0]}`,
        1,
        { cause: err },
      );
    }
    // node-fetch says "request to <url> failed, reason: <cause>"; the URL is already named.
    const reason = /reason: (.*)$/.exec(causeText(err))?.[1] ?? causeText(err);
    throw new OpsError(`cannot reach the Kubernetes API at ${server}: ${reason}`, 1, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  const now = opts.now ?? Date.now();
  const pods = list.items.map((p) => toPodRow(p, now)).sort((a, b) => a.name.localeCompare(b.name));
  return {
    namespace,
    selector,
    source,
    server,
    pods,
    summary: { total: pods.length, ready: pods.filter((p) => p.is_ready).length, restarts: pods.reduce((a, p) => a + p.restarts, 0) },
  };
}

function safeJson(text: string): { message?: string } | null {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return null;
  }
}
