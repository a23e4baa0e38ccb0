// Load generator (child process): autocannon against one URL. Command:
//   run {url, connections, seconds, headers?} → requests/s (2xx only), latency percentiles in ms
// Latencies come from autocannon's per-response times (µs resolution); its own histogram rounds
// to whole milliseconds, which hides everything a cache hit is about.
import autocannon from 'autocannon';
import { summarize } from '../harness/stats';
import { cpuPercent, serveCommands } from './worker-main';

export interface HttpRunResult {
  requests_per_s: number;
  latency_ms: { p50: number; p95: number; p99: number; mean: number; max: number };
  requests: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  bytes_per_s: number;
  cpu_pct: number;
}

async function run(args: { url: string; connections: number; seconds: number; headers?: Record<string, string> }): Promise<HttpRunResult> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const latencies: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const opts = { url: args.url, connections: args.connections, duration: args.seconds, headers: args.headers };
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const ok = r['2xx'];
  const lat = summarize(latencies);
  return {
    // Only answered requests count: an error page served fast is not a page served.
    requests_per_s: Math.round(ok / r.duration),
    latency_ms: { p50: lat.p50, p95: lat.p95, p99: lat.p99, mean: lat.mean, max: lat.max },
    requests: r.requests.total,
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytes_per_s: Math.round(r.throughput.total / r.duration),
    cpu_pct: cpuPercent(cpu, performance.now() - started),
  };
}

serveCommands({ run });
