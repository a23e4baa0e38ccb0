import { findObject } from './kustomize';
import { dig, K8sObject, podSpecOf } from './repo';

/** What a SIGTERM costs a pod: the preStop sleep, then the server's drain. */
export interface DrainBudget {
  grace: number;
  preStop: number;
  shutdownSeconds: number;
}

export function drainBudgetOf(objects: K8sObject[]): DrainBudget {
  const deployment = findObject(objects, 'Deployment');
  const pod = podSpecOf(deployment)!;
  const command = dig(pod.containers[0], 'lifecycle.preStop.exec.command') as string[];
  if (command?.[0] !== 'sleep') throw new Error(`preStop of ${deployment.metadata.name} is not a sleep: ${JSON.stringify(command)}`);
  const data = findObject(objects, 'ConfigMap').data as Record<string, string>;
  return {
    grace: pod.terminationGracePeriodSeconds as number,
    preStop: Number(command[1]),
    shutdownSeconds: Number(data.SHUTDOWN_TIMEOUT_MS) / 1000,
  };
}
