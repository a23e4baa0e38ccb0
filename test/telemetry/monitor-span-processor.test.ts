import { expect } from 'chai';
import type { Attributes, Span } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Monitor } from '../../src/monitoring';
import { ATTR, MonitorSpanProcessor, runInSpan, type EndedSpan, type OperationName } from '../../src/telemetry';

/** What `traced` does, on a tracer of our own provider rather than the global one. */
const tracedOn = runInSpan;

function setup(enabled = true) {
  const monitor = new Monitor({ pod: 'pod-span', enabled, sampler: { now: () => 0 } });
  const provider = new BasicTracerProvider({ spanProcessors: [new MonitorSpanProcessor(monitor)] });
  const tracer = provider.getTracer('chatpop');
  const op = (name: OperationName, attributes: Attributes, fn: (span: Span) => Promise<unknown> = async () => undefined) =>
    tracedOn(tracer, name, attributes, fn);
  return { monitor, provider, tracer, op };
}

describe('MonitorSpanProcessor', () => {
  it('turns our spans into counters and events', async () => {
    const { monitor, op } = setup();
    await op('cache.read', { [ATTR.chatCode]: 'SPAN0001', [ATTR.cacheResult]: 'hit', [ATTR.cacheCount]: 20, [ATTR.op]: 'history' });
    await op('cache.read', { [ATTR.chatCode]: 'SPAN0001', [ATTR.cacheResult]: 'partial', [ATTR.cacheCount]: 5 });
    await op('cache.read', { [ATTR.chatCode]: 'SPAN0002', [ATTR.cacheResult]: 'miss' });
    await op('hybrid.query', { [ATTR.chatCode]: 'SPAN0001', [ATTR.cacheCount]: 5, [ATTR.dbCount]: 15 });
    await op('db.write', { [ATTR.chatCode]: 'SPAN0001', [ATTR.op]: 'send' }, async (span) => {
      span.setAttribute(ATTR.dbCount, 1); // attributes set inside fn count too
    });
    await op('cache.write', { [ATTR.chatCode]: 'SPAN0001', [ATTR.cacheCount]: 1 });

    const { metrics, events } = monitor.snapshot();
    expect(metrics).to.deep.include({
      hits: 1,
      partial_hits: 1,
      misses: 1,
      cache_reads: 3,
      hybrid_queries: 1,
      db_writes: 1,
      cache_writes: 1,
    });
    expect(metrics.hit_rate).to.be.closeTo(1 / 3, 1e-9);
    const [cacheWrite, dbWrite, hybrid, , , firstRead] = events;
    expect(firstRead).to.deep.include({
      op: 'cache.read',
      chat_code: 'SPAN0001',
      result: 'hit',
      count: 20,
      action: 'history',
      pod: 'pod-span',
    });
    expect(hybrid).to.deep.include({ op: 'hybrid.query', count: 20, cache_count: 5, db_count: 15 });
    expect(dbWrite).to.deep.include({ op: 'db.write', count: 1, action: 'send' });
    expect(cacheWrite).to.deep.include({ op: 'cache.write', count: 1 });
    expect(firstRead.duration_ms).to.be.a('number').at.least(0);
    expect(Date.parse(firstRead.ts)).to.be.closeTo(Date.now(), 60_000);
  });

  it('shows on a db.read event whether a read replica served the page or lagged (issue #24)', async () => {
    const { monitor, op } = setup();
    await op('db.read', { [ATTR.chatCode]: 'REPL0001', [ATTR.op]: 'range', [ATTR.dbCount]: 10, [ATTR.replica]: 'lagging' });
    await op('db.read', { [ATTR.chatCode]: 'REPL0001', [ATTR.op]: 'range', [ATTR.dbCount]: 10, [ATTR.replica]: 'served' });
    await op('db.read', { [ATTR.chatCode]: 'REPL0001', [ATTR.op]: 'range', [ATTR.dbCount]: 10 });
    const [primaryOnly, served, lagging] = monitor.snapshot().events;
    expect(lagging).to.deep.include({ op: 'db.read', count: 10, replica: 'lagging' });
    expect(served).to.deep.include({ replica: 'served' });
    expect(primaryOnly).to.not.have.property('replica');
  });

  it('takes durations from the spans for the percentiles', async () => {
    const { monitor, tracer } = setup();
    const start = Date.now();
    for (let ms = 1; ms <= 100; ms++) {
      const span = tracer.startSpan('db.read', { startTime: start, attributes: { [ATTR.chatCode]: 'TIME0001' } });
      span.end(start + ms);
    }
    expect(monitor.snapshot().metrics.latency_ms['db.read']).to.deep.equal({ samples: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('counts a failed operation as an error event', async () => {
    const { monitor, op } = setup();
    const failing = op('db.read', { [ATTR.chatCode]: 'FAIL0001' }, async () => {
      throw new Error('database down');
    });
    await failing.then(
      () => expect.fail('should have thrown'),
      (err: Error) => expect(err.message).to.equal('database down'),
    );
    const { metrics, events } = monitor.snapshot();
    expect(metrics.errors).to.equal(1);
    expect(events[0]).to.deep.include({ op: 'db.read', result: 'error' });
  });

  it('ignores spans that are not ours', async () => {
    const { monitor, tracer, op } = setup();
    await op('GET /api/chats/:code/messages' as OperationName, { 'http.method': 'GET' });
    tracer.startSpan('EVALSHA', { attributes: { 'db.system': 'redis' } }).end();
    tracer.startSpan('pg.query:INSERT chatpop', { attributes: { [ATTR.chatCode]: 'NOTOURS1' } }).end();
    const { metrics, events } = monitor.snapshot();
    expect(metrics.total_ops).to.equal(0);
    expect(events).to.deep.equal([]);
  });

  it('records nothing while the monitor is disabled', async () => {
    const { monitor, op } = setup(false);
    await op('cache.read', { [ATTR.chatCode]: 'OFF00001', [ATTR.cacheResult]: 'hit' });
    await op('db.write', { [ATTR.chatCode]: 'OFF00001' });
    monitor.setEnabled(true);
    await op('db.write', { [ATTR.chatCode]: 'ON000001' });
    const { metrics, events } = monitor.snapshot();
    expect(metrics.total_ops).to.equal(1);
    expect(events.map((e) => e.chat_code)).to.deep.equal(['ON000001']);
  });

  it('never copies message content from span attributes into events', async () => {
    const { monitor, op } = setup();
    const content = 'Meet me at the old mill at midnight';
    await op('db.write', {
      [ATTR.chatCode]: 'PRIV0001',
      [ATTR.op]: 'send',
      'message.content': content,
      'chatpop.content': content,
      'db.statement': `INSERT INTO message (content) VALUES ('${content}')`,
    });
    await op('cache.write', { [ATTR.chatCode]: content, [ATTR.op]: content, [ATTR.cacheCount]: 1 });
    const snapshot = monitor.snapshot();
    expect(JSON.stringify(snapshot)).not.to.include('midnight');
    for (const event of snapshot.events) {
      expect(Object.keys(event)).to.satisfy((keys: string[]) =>
        keys.every((k) =>
          ['ts', 'op', 'chat_code', 'result', 'count', 'cache_count', 'db_count', 'action', 'duration_ms', 'pod'].includes(k),
        ),
      );
    }
    expect(snapshot.events[0].chat_code).to.equal(null);
  });

  it('above 1000 operations per second, counts every span exactly and reads no attribute but the cache result and the chat code (busiest chats)', () => {
    const monitor = new Monitor({ pod: 'pod-span', enabled: true, sampler: { now: () => 0 } });
    const read: string[] = [];
    const span = (name: OperationName, attributes: Record<string, string | number>): EndedSpan => ({
      name,
      attribute: (key) => (read.push(key), attributes[key]),
      durationMs: 1,
      endedAtMs: Date.now(),
      failed: false,
    });
    // The sampler's clock stands still: every span falls in one window, 2000 of them in 1 s.
    for (let i = 0; i < 1000; i++) monitor.recordSpan(span('db.write', { [ATTR.chatCode]: 'FAST0001', [ATTR.dbCount]: 1 }));
    expect(monitor.mode).to.equal('sampled'); // 1000 ops/s: still sampled, events may be kept
    const keptBefore = monitor.snapshot().metrics.events_kept;
    read.length = 0;
    for (let i = 0; i < 1000; i++)
      monitor.recordSpan(
        span('cache.read', { [ATTR.chatCode]: 'FAST0001', [ATTR.cacheResult]: i % 4 ? 'hit' : 'miss', [ATTR.cacheCount]: 50 }),
      );
    const { metrics } = monitor.snapshot();
    expect(monitor.mode).to.equal('aggregated');
    expect(metrics).to.deep.include({
      total_ops: 2000,
      db_writes: 1000,
      cache_reads: 1000,
      hits: 750,
      misses: 250,
      events_kept: keptBefore,
    });
    expect(new Set(read)).to.deep.equal(new Set([ATTR.cacheResult, ATTR.chatCode]));
    expect(metrics.busiest_chats).to.deep.equal([{ chat_code: 'FAST0001', ops: 2000 }]);
  });
});
