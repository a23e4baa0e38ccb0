// Helpers shared by the monitoring tests.
import type { Monitor, MonitoringView } from '../../src/monitoring';
import { ApiClient, TEST_ADMIN_TOKEN, startTestApp, type Stack, type TestApp } from '../support';

export { parsePrometheus, sampleValue, type PromSample } from '../support/prometheus';

/**
 * Polls `probe` until it returns a value other than undefined; rejects with `what` after
 * `timeoutMs`. For state in another process (a pod's switch, a published snapshot), where there is
 * no event to await.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 8000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A client holding the test admin token. */
export const admin = (base: string, token = TEST_ADMIN_TOKEN) => new ApiClient(base, token);

/** GET /admin/monitoring/api, failing loudly on anything but 200. */
export async function monitoringView(base: string, query = ''): Promise<MonitoringView> {
  const res = await admin(base).get<MonitoringView>(`/admin/monitoring/api${query}`);
  if (res.status !== 200) throw new Error(`monitoring api: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An in-process app on a stack whose spans feed `monitor`. */
export function startMonitoredApp(stack: Stack, env: Record<string, string>, monitor: Monitor): Promise<TestApp> {
  return startTestApp(stack, env, { monitor });
}
