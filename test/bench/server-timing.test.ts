import { expect } from 'chai';
import { sendBuckets, timingBetween } from '../../bench/harness/server-timing';

/** A /metrics text with the send histogram's cumulative buckets, and a distractor series. */
function metricsText(buckets: Record<string, number>, failed = 0): string {
  const lines = ['# TYPE chatpop_socket_event_duration_seconds histogram'];
  for (const [le, n] of Object.entries(buckets)) {
    lines.push(`chatpop_socket_event_duration_seconds_bucket{le="${le}",event="message:send",result="ok"} ${n}`);
    lines.push(`chatpop_socket_event_duration_seconds_bucket{le="${le}",event="message:send",result="error"} ${failed}`);
    lines.push(`chatpop_socket_event_duration_seconds_bucket{le="${le}",event="chat:join",result="ok"} 1000`);
  }
  return lines.join('\n') + '\n';
}

describe("bench: the server's part of the send time, from its histogram", () => {
  it('counts only the sends between two readings and interpolates quantiles inside their bucket', () => {
    const before = sendBuckets(metricsText({ '0.001': 10, '0.002': 10, '0.005': 10, '+Inf': 10 }, 7));
    // 100 more sends: 50 under 1 ms, 40 in (1, 2] ms, 9 in (2, 5] ms, 1 beyond.
    const after = sendBuckets(metricsText({ '0.001': 60, '0.002': 100, '0.005': 109, '+Inf': 110 }, 9));
    const t = timingBetween(before, after)!;
    expect(t.count).to.equal(100);
    expect(t.p50_ms).to.be.closeTo(1.0, 1e-9); // the 50th send is the last of the first bucket
    expect(t.p95_ms).to.be.closeTo(2 + (3 * 5) / 9, 1e-3); // 5 of the 9 in (2, 5]
    expect(t.p99_ms).to.be.closeTo(5, 1e-9);
  });

  it('answers the last finite bound for a quantile past it, and null for a window without sends', () => {
    const before = sendBuckets(metricsText({ '0.001': 0, '+Inf': 0 }));
    const after = sendBuckets(metricsText({ '0.001': 1, '+Inf': 10 }));
    expect(timingBetween(before, after)!.p99_ms).to.equal(1);
    expect(timingBetween(after, after)).to.equal(null);
  });
});
