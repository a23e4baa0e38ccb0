// Requests/s and latency of one GET route: a warm-up, then `repeats` short autocannon runs in the
// load-http child process; the figure is the median run.
import type { CpuMeter } from './cpu';
import type { HttpRunResult } from './load-http';
import type { BenchSettings } from './settings';
import { median, medianRun } from './stats';
import type { Worker } from './workers';

export interface HttpFigure {
  url: string;
  requests_per_s: number;
  latency_ms: HttpRunResult['latency_ms'];
  non_2xx: number;
  errors: number;
  /** requests/s of every run, the median's among them */
  runs: number[];
  cpu_pct: Record<string, number>;
  load_cpu_pct: number;
}

export async function measureHttp(worker: Worker, url: string, s: BenchSettings, meter: CpuMeter): Promise<HttpFigure> {
  const run = (seconds: number) => worker.call<HttpRunResult>('run', { url, connections: s.httpConnections, seconds });
  await run(Math.min(1, s.httpSeconds)); // warm-up: JIT, connection pools, the cache window
  const runs: HttpRunResult[] = [];
  meter.start();
  for (let i = 0; i < s.repeats; i++) runs.push(await run(s.httpSeconds));
  const cpu = meter.stop();
  const mid = medianRun(runs, (r) => r.requests_per_s);
  return {
    url,
    requests_per_s: median(runs.map((r) => r.requests_per_s)),
    latency_ms: mid.latency_ms,
    non_2xx: runs.reduce((n, r) => n + r.non_2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs: runs.map((r) => r.requests_per_s),
    cpu_pct: cpu,
    load_cpu_pct: mid.cpu_pct,
  };
}
