import { expect } from 'chai';
import {
  HISTORY_POINTS,
  Monitor,
  PodHistory,
  mergeGauges,
  mergeHistories,
  parseRedisMemory,
  type HistoryPoint,
} from '../../src/monitoring';

const GAUGES = { sockets_connected: 2, repair_queue: 0, redis: null };
const point = (t: number, over: Partial<HistoryPoint> = {}): HistoryPoint => ({
  t,
  ops_per_second: 1,
  reads: 0,
  hits: 0,
  p95_ms: null,
  p99_ms: null,
  errors: 0,
  client_errors: 0,
  sockets: 1,
  repair_queue: 0,
  ...over,
});

describe('monitor history', () => {
  it('keeps at most 450 points (15 minutes at 2 s), each with the reads, hits and errors since the previous one', () => {
    const monitor = new Monitor({ pod: 'pod-h', enabled: true, sampler: { now: () => 0 } });
    const history = new PodHistory();
    history.add(0, monitor.snapshot().metrics, GAUGES);
    monitor.record({ op: 'cache.read', result: 'hit', durationMs: 1 });
    monitor.record({ op: 'cache.read', result: 'miss', durationMs: 3 });
    monitor.record({ op: 'db.write', failed: true, error: { kind: 'client', code: 'conflict' }, durationMs: 1 });
    const p = history.add(2000, monitor.snapshot().metrics, GAUGES);
    expect(p).to.include({ reads: 2, hits: 1, errors: 0, client_errors: 1, sockets: 2, repair_queue: 0 });
    expect(p.p95_ms).to.be.a('number');
    for (let i = 2; i < 1000; i++) history.add(i * 2000, monitor.snapshot().metrics, GAUGES);
    const kept = history.points(999 * 2000);
    expect(kept).to.have.length(HISTORY_POINTS);
    expect(kept[0].t).to.be.below(kept[kept.length - 1].t);
    expect(kept.at(-1)).to.include({ reads: 0, hits: 0, client_errors: 0 });
  });

  it('combines the pods per slot: rates and sockets add up, the worst latency and the largest repair queue count', () => {
    const merged = mergeHistories([
      [point(0, { ops_per_second: 2, p95_ms: 5, repair_queue: 1, sockets: 3 }), point(2000)],
      [point(100, { ops_per_second: 3, p95_ms: 9, repair_queue: 4, sockets: null })],
    ]);
    expect(merged).to.have.length(2);
    expect(merged[0]).to.include({ t: 0, ops_per_second: 5, p95_ms: 9, repair_queue: 4, sockets: 3 });
  });

  it('reads Redis memory and eviction from INFO memory, and sums sockets over the pods', () => {
    expect(parseRedisMemory('# Memory\r\nused_memory:1048576\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n')).to.deep.equal({
      used_memory_bytes: 1048576,
      maxmemory_bytes: 0,
      eviction_policy: 'noeviction',
    });
    expect(mergeGauges([GAUGES, { ...GAUGES, repair_queue: 3 }, undefined])).to.deep.include({ sockets_connected: 4, repair_queue: 3 });
  });
});
