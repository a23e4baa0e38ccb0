// Requests/s and latency of GET routes: a warm-up each, then `repeats` short autocannon runs in the
// load-http child process, the targets taking turns run by run so a noisy moment on the shared
// machine falls on every target of a ratio alike. Each figure is its target's median run. A target
// may also be another load of the same shape (the deep page's bare `pg` ceiling), taking its turns alike.
import type { CpuMeter } from '../harness/cpu';
import type { HttpRunResult } from '../load/load-http';
import type { BenchSettings } from '../harness/settings';
import { median, medianRun } from '../harness/stats';
import type { Worker } from '../load/workers';

export interface HttpFigure {
  url: string;
  requests_per_s: number;
  latency_ms: HttpRunResult['latency_ms'];
  non_2xx: number;
  errors: number;
  /** requests/s of every run, the median's among them */
  runs: number[];
  /** CPU per process during the median run */
  cpu_pct: Record<string, number>;
  load_cpu_pct: number;
}

/** A URL for autocannon, or another load run for `seconds` (named by `url` in the figure). */
export type HttpTarget = string | { url: string; run(seconds: number): Promise<HttpRunResult> };

export async function measureHttp<K extends string>(
  worker: Worker,
  targets: Record<K, HttpTarget>,
  s: BenchSettings,
  meter: CpuMeter,
): Promise<Record<K, HttpFigure>> {
  const names = Object.keys(targets) as K[];
  const run = (target: HttpTarget, seconds: number) =>
    typeof target === 'string'
      ? worker.call<HttpRunResult>('run', { url: target, connections: s.httpConnections, seconds })
      : target.run(seconds);
  // Warm-up: JIT, connection pools, the cache window.
  for (const name of names) await run(targets[name], Math.min(1, s.httpSeconds));
  type Runs = (HttpRunResult & { cpu: Record<string, number> })[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as Runs])) as Record<K, Runs>;
  for (let i = 0; i < s.repeats; i++) {
    for (const name of names) {
      meter.start();
      const r = await run(targets[name], s.httpSeconds);
      runs[name].push({ ...r, cpu: meter.stop() });
    }
  }
  const out = {} as Record<K, HttpFigure>;
  for (const name of names) {
    const mine = runs[name];
    const mid = medianRun(mine, (r) => r.requests_per_s);
    out[name] = {
      url: urlOf(targets[name]),
      requests_per_s: median(mine.map((r) => r.requests_per_s)),
      latency_ms: mid.latency_ms,
      non_2xx: mine.reduce((n, r) => n + r.non_2xx, 0),
      errors: mine.reduce((n, r) => n + r.errors, 0),
      runs: mine.map((r) => r.requests_per_s),
      cpu_pct: mid.cpu,
      load_cpu_pct: mid.cpu_pct,
    };
  }
  return out;
}

const urlOf = (target: HttpTarget): string => (typeof target === 'string' ? target : target.url);
