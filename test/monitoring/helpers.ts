// Helpers shared by the monitoring tests.
import { Monitor, type MonitoringView } from '../../src/monitoring';
import { activeTelemetry, startTelemetry, type Telemetry } from '../../src/telemetry';
import { ApiClient, TEST_ADMIN_TOKEN, startStack, startTestApp, type Stack, type TestApp } from '../support';

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

/** An in-process app on postgres+redis whose spans feed the mocha process's monitor, for one suite. */
export interface MonitoredSuite {
  telemetry: Telemetry<Monitor>;
  stack: Stack;
  t: TestApp;
}

/**
 * Registers a suite's hooks: shares the mocha process's telemetry (it registers process-wide globals
 * and starts once per process, here if no other file did), starts the app with monitoring on, and
 * leaves the monitor off and empty afterwards. Read the parts inside tests, after `before` ran.
 */
export function useMonitoredApp(): MonitoredSuite {
  const suite = {} as MonitoredSuite;
  before(async () => {
    suite.telemetry =
      activeTelemetry<Monitor>() ?? startTelemetry({ monitor: new Monitor({ pod: 'mocha-pod' }), serviceName: 'chatpop-test' });
    suite.telemetry.monitor.reset();
    suite.stack = await startStack('postgres+redis');
    suite.t = await startMonitoredApp(suite.stack, { ENABLE_MONITORING: 'true' }, suite.telemetry.monitor);
  });
  after(async () => {
    await suite.t?.close();
    await suite.stack?.dispose();
    suite.telemetry?.monitor.setEnabled(false);
    suite.telemetry?.monitor.reset();
  });
  return suite;
}
