// Load generator (child process): autocannon against one URL. Command:
//   run {url, connections, seconds, headers?} → requests/s (2xx only), latency percentiles in ms
import autocannon from 'autocannon';
import { cpuPercent, serveCommands } from './worker-main';

export interface HttpRunResult {
  requests_per_s: number;
  latency_ms: { p50: number; p90: number; p99: number; mean: number; max: number };
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
  const r = await autocannon({ url: args.url, connections: args.connections, duration: args.seconds, headers: args.headers });
  const ok = r['2xx'];
  return {
    // Only answered requests count: an error page served fast is not a page served.
    requests_per_s: Math.round(ok / r.duration),
    latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, mean: r.latency.mean, max: r.latency.max },
    requests: r.requests.total,
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    bytes_per_s: Math.round(r.throughput.total / r.duration),
    cpu_pct: cpuPercent(cpu, performance.now() - started),
  };
}

serveCommands({ run });
