// The ChatPop server's own time per send, from its `/metrics`: the histogram
// `chatpop_socket_event_duration_seconds{event="message:send",result="ok"}` read before and after a
// step, so a step's send→ack latency can be split into the server's part (from the handler getting
// the event to its ack: commit, cache write, announcement) and the rest (sockets, the load process).
import { parsePrometheus } from '../../test/support/prometheus';
import { round } from './stats';

/** Cumulative bucket counts by upper bound in seconds (Infinity last). */
export type Buckets = [le: number, count: number][];

export interface ServerTiming {
  /** sends the server answered in the window */
  count: number;
  /** from the buckets, interpolated linearly inside the bucket a quantile falls in */
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/** Reads the successful `message:send` buckets from a `/metrics` text. */
export function sendBuckets(metricsText: string): Buckets {
  return parsePrometheus(metricsText)
    .samples.filter(
      (x) => x.name === 'chatpop_socket_event_duration_seconds_bucket' && x.labels.event === 'message:send' && x.labels.result === 'ok',
    )
    .map((x): [number, number] => [x.labels.le === '+Inf' ? Infinity : Number(x.labels.le), x.value])
    .sort((a, b) => a[0] - b[0]);
}

/** The sends between two readings of the buckets; null when there were none. */
export function timingBetween(before: Buckets, after: Buckets): ServerTiming | null {
  const earlier = new Map(before);
  const delta: Buckets = after.map(([le, n]) => [le, n - (earlier.get(le) ?? 0)]);
  const count = delta.at(-1)?.[1] ?? 0;
  if (count <= 0) return null;
  const quantile = (q: number): number => {
    const target = q * count;
    let lower = 0;
    let below = 0;
    for (const [le, n] of delta) {
      if (n >= target) {
        // Past the last finite bound all we know is "at least": report that bound.
        if (le === Infinity) return lower * 1000;
        return (lower + ((le - lower) * (target - below)) / Math.max(1, n - below)) * 1000;
      }
      lower = le;
      below = n;
    }
    return lower * 1000;
  };
  return { count, p50_ms: round(quantile(0.5)), p95_ms: round(quantile(0.95)), p99_ms: round(quantile(0.99)) };
}

/** Reads the server's buckets now. */
export async function readSendBuckets(baseUrl: string): Promise<Buckets> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return sendBuckets(await res.text());
}
