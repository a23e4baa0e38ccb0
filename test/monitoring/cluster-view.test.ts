import { expect } from 'chai';
import { buildMonitoringView, Monitor } from '../../src/monitoring';

function podWith(pod: string, load: number, startMs: number) {
  let now = 0;
  const monitor = new Monitor({ pod, enabled: true, sampler: { now: () => now, random: () => 0 }, wallClock: () => startMs + now });
  for (let i = 0; i < load; i++) {
    monitor.record({
      op: 'cache.read',
      chatCode: i % 2 ? 'ODD00001' : 'EVEN0001',
      result: i % 3 ? 'hit' : 'miss',
      durationMs: pod === 'pod-b' ? 10 : 1,
    });
  }
  now += 1; // keep the load inside the window
  return monitor.snapshot();
}

describe('buildMonitoringView', () => {
  it('sums the pods, merges their events newest first and reports the most reduced mode', () => {
    const a = podWith('pod-a', 10, Date.UTC(2026, 0, 1));
    const b = podWith('pod-b', 200, Date.UTC(2026, 0, 2));
    const staleA = { ...podWith('pod-a', 1, 0), taken_at: '2000-01-01T00:00:00.000Z' };
    const view = buildMonitoringView(a, [b, staleA]);

    expect(view.pod).to.equal('pod-a');
    expect(view.pods.map((p) => p.pod)).to.deep.equal(['pod-a', 'pod-b']);
    expect(view.pods[0]).to.equal(a); // the local snapshot wins over a published copy of itself
    expect(view.mode).to.equal('sampled');
    expect(view.metrics.cache_reads).to.equal(210);
    expect(view.metrics.hits + view.metrics.misses).to.equal(210);
    expect(view.metrics.hit_rate).to.be.closeTo(view.metrics.hits / 210, 1e-9);
    expect(view.metrics.latency_ms['cache.read']).to.deep.include({ samples: 210, p99: 10 });
    expect(view.events[0].pod).to.equal('pod-b');
    expect(view.events.at(-1)!.pod).to.equal('pod-a');
    for (let i = 1; i < view.events.length; i++) expect(view.events[i - 1].ts >= view.events[i].ts).to.equal(true);
  });

  it('filters events by chat code and caps their number', () => {
    const a = podWith('pod-a', 10, Date.UTC(2026, 0, 1));
    const view = buildMonitoringView(a, [], { chat: 'odd00001', limit: 3 });
    expect(view.events).to.have.length(3);
    expect(view.events.every((e) => e.chat_code === 'ODD00001')).to.equal(true);
  });
});
