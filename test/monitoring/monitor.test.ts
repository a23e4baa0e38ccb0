import { expect } from 'chai';
import { Monitor, type OperationRecord } from '../../src/monitoring';

/** A monitor whose load window never moves unless the test says so, and which keeps every event it may. */
function monitorAt(options: { enabled?: boolean; random?: () => number } = {}) {
  let now = 0;
  const monitor = new Monitor({
    pod: 'pod-a',
    enabled: options.enabled ?? true,
    sampler: { now: () => now, random: options.random ?? (() => 0) },
    wallClock: () => Date.UTC(2026, 0, 1) + now,
  });
  return { monitor, advance: (ms: number) => (now += ms) };
}

const read = (result: 'hit' | 'miss' | 'partial', chatCode = 'ABCD1234'): OperationRecord => ({
  op: 'cache.read',
  chatCode,
  result,
  count: 5,
  durationMs: 1.5,
});

describe('Monitor', () => {
  it('counts hits, misses, partial hits and the hit rate', () => {
    const { monitor } = monitorAt();
    monitor.record(read('hit'));
    monitor.record(read('hit'));
    monitor.record(read('miss'));
    monitor.record(read('partial'));
    monitor.record({ op: 'cache.write', chatCode: 'ABCD1234', count: 1, durationMs: 0.4 });
    monitor.record({ op: 'db.read', chatCode: 'ABCD1234', count: 50, durationMs: 3 });
    monitor.record({ op: 'db.write', chatCode: 'ABCD1234', count: 1, durationMs: 2 });
    monitor.record({ op: 'hybrid.query', chatCode: 'ABCD1234', count: 12, cacheCount: 4, dbCount: 8, durationMs: 5 });
    monitor.record({ op: 'db.write', chatCode: 'ABCD1234', durationMs: 9, failed: true });

    const m = monitor.snapshot().metrics;
    expect(m).to.deep.include({
      hits: 2,
      misses: 1,
      partial_hits: 1,
      hit_rate: 0.5,
      cache_reads: 4,
      cache_writes: 1,
      db_reads: 1,
      db_writes: 2,
      hybrid_queries: 1,
      errors: 1,
      total_ops: 9,
      events_kept: 9,
    });
    expect(m.ops).to.deep.equal({
      'cache.read': 4,
      'cache.write': 1,
      'db.read': 1,
      'db.write': 2,
      'hybrid.query': 1,
      'socket.join': 0,
      'socket.send': 0,
    });
    expect(m.latency_ms['db.write']).to.deep.include({ samples: 2, p50: 2, max: 9 });
  });

  it('logs events newest first with codes, counts and timings', () => {
    const { monitor, advance } = monitorAt();
    monitor.record(read('miss', 'FIRST111'));
    advance(5);
    monitor.record({
      op: 'hybrid.query',
      chatCode: 'SECOND22',
      count: 12,
      cacheCount: 4,
      dbCount: 8,
      action: 'history',
      durationMs: 5.12345,
    });
    monitor.record({ op: 'db.write', chatCode: 'SECOND22', durationMs: 1, failed: true });

    const { pod, mode, enabled, events } = monitor.snapshot();
    expect({ pod, mode, enabled }).to.deep.equal({ pod: 'pod-a', mode: 'detailed', enabled: true });
    expect(events.map((e) => e.op)).to.deep.equal(['db.write', 'hybrid.query', 'cache.read']);
    expect(events[0].result).to.equal('error');
    expect(events[1]).to.deep.equal({
      ts: '2026-01-01T00:00:00.005Z',
      op: 'hybrid.query',
      chat_code: 'SECOND22',
      count: 12,
      cache_count: 4,
      db_count: 8,
      action: 'history',
      duration_ms: 5.123,
      pod: 'pod-a',
    });
    expect(monitor.snapshot({ chat: 'first111' }).events.map((e) => e.chat_code)).to.deep.equal(['FIRST111']);
    expect(monitor.snapshot({ limit: 1 }).events).to.have.length(1);
  });

  it('keeps the last 1000 events', () => {
    const { monitor, advance } = monitorAt();
    for (let i = 0; i < 1200; i++) {
      advance(20); // 50 ops/s: detailed, every event is kept
      monitor.record({ op: 'db.read', chatCode: `C${i}`, durationMs: 1 });
    }
    const { events, metrics, mode } = monitor.snapshot();
    expect(mode).to.equal('detailed');
    expect(metrics.events_kept).to.equal(1200);
    expect(events).to.have.length(1000);
    expect(events[0].chat_code).to.equal('C1199');
    expect(events[999].chat_code).to.equal('C200');
  });

  it('counts everything but logs no event above 1000 ops/s', () => {
    const { monitor } = monitorAt();
    for (let i = 0; i < 1500; i++) monitor.record(read('hit'));
    const { mode, metrics, events } = monitor.snapshot();
    expect(mode).to.equal('aggregated');
    expect(metrics.hits).to.equal(1500);
    expect(metrics.sample_rate).to.equal(0);
    expect(events).to.have.length(1000); // 99 detailed + 901 sampled (random() = 0 keeps each), then none
    expect(metrics.events_kept).to.equal(1000);
  });

  it('records nothing while disabled, and resumes when enabled at run time', () => {
    const { monitor } = monitorAt({ enabled: false });
    monitor.record(read('hit'));
    let snap = monitor.snapshot();
    expect(snap.enabled).to.equal(false);
    expect(snap.metrics.total_ops).to.equal(0);
    expect(snap.metrics.latency_ms).to.deep.equal({});
    expect(snap.events).to.deep.equal([]);

    const seen: boolean[] = [];
    monitor.onEnabledChange((on) => seen.push(on));
    monitor.setEnabled(true);
    monitor.setEnabled(true); // no change, no notification
    monitor.record(read('hit'));
    monitor.setEnabled(false);
    monitor.record(read('hit'));
    snap = monitor.snapshot();
    expect(seen).to.deep.equal([true, false]);
    expect(snap.metrics.hits).to.equal(1);
    expect(snap.events).to.have.length(1);
  });

  it('never lets free text into an event, even through the code or action fields', () => {
    const { monitor } = monitorAt();
    const secret = 'my secret message text';
    monitor.record({ op: 'db.write', chatCode: secret, action: secret, durationMs: 1 });
    const [event] = monitor.snapshot().events;
    expect(event.chat_code).to.equal(null);
    expect(event).not.to.have.property('action');
    expect(JSON.stringify(monitor.snapshot())).not.to.include('secret');
  });

  it('starts over on reset', () => {
    const { monitor } = monitorAt();
    monitor.record(read('hit'));
    monitor.reset();
    const snap = monitor.snapshot();
    expect(snap.metrics.total_ops).to.equal(0);
    expect(snap.events).to.deep.equal([]);
  });
});
