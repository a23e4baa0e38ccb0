import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { keys, type RedisEngine } from '../../src/cache';
import type { MonitorEvent, MonitoringView } from '../../src/monitoring';
import { chatWithHost, startTestApp } from '../support';
import { monitoringView, until, useMonitoredApp } from './helpers';

/** Sum of `count` over a chat's events of one operation (and action). */
const counted = (events: MonitorEvent[], op: string, action?: string) =>
  events.filter((e) => e.op === op && (action === undefined || e.action === action)).reduce((n, e) => n + (e.count ?? 0), 0);

describe('monitor counters from real operations (postgres+redis, in-process)', function () {
  this.timeout(40_000);
  const s = useMonitoredApp();

  it('follows ENABLE_MONITORING=true when nobody has set the switch', async () => {
    expect(s.t.app.monitoring.service.store).to.equal('redis');
    expect((await monitoringView(s.t.base)).enabled).to.equal(true);
  });

  it('counts cache writes, database writes, hits, partial hits, misses and hybrid queries of sends and reads', async () => {
    const { code, host } = await chatWithHost(s.t.base);
    const before = (await monitoringView(s.t.base)).metrics;

    for (let i = 1; i <= 5; i++) expect((await host.post(`/api/chats/${code}/messages`, { content: `message ${i}` })).status).to.equal(201);
    // Two reads the window answers whole.
    for (let i = 0; i < 2; i++) expect((await host.get(`/api/chats/${code}/messages?limit=5`)).body.source).to.equal('cache');
    // A hole in the window: the read is partial and the missing message comes from the database.
    await (s.t.app.cache as RedisEngine).client.zremrangebyscore(keys.window(code, 'main'), 3, 3);
    expect((await host.get(`/api/chats/${code}/messages?limit=5`)).body.source).to.equal('hybrid');
    await s.t.app.chat.repair.idle();
    // No usable window: a miss, answered by the database.
    await s.t.app.cache.dropMeta(code);
    expect((await host.get(`/api/chats/${code}/messages?limit=5`)).body.source).to.equal('db');

    const view = await monitoringView(s.t.base, `?chat=${code}`);
    const m = view.metrics;
    expect(m.db_writes - before.db_writes, 'db writes').to.be.at.least(1);
    expect(m.cache_writes - before.cache_writes, 'cache writes').to.be.at.least(1);
    expect(m.hits - before.hits, 'hits').to.be.at.least(2);
    expect(m.partial_hits - before.partial_hits, 'partial hits').to.be.at.least(1);
    expect(m.misses - before.misses, 'misses').to.be.at.least(1);
    expect(m.hybrid_queries - before.hybrid_queries, 'hybrid queries').to.be.at.least(1);
    expect(m.db_reads - before.db_reads, 'db reads').to.be.at.least(2);
    expect(m.hit_rate).to.be.above(0).and.below(1);
    for (const op of ['cache.read', 'cache.write', 'db.write', 'db.read', 'hybrid.query'] as const) {
      expect(m.latency_ms[op]?.samples, `${op} latency samples`).to.be.above(0);
    }

    // The chat's own events tell exactly what happened to it.
    const events = view.events;
    expect(events.every((e) => e.chat_code === code)).to.equal(true);
    expect(counted(events, 'db.write', 'send'), 'messages written to the database').to.equal(5);
    expect(counted(events, 'cache.write', 'append'), 'messages appended to the cache').to.equal(5);
    const reads = events.filter((e) => e.op === 'cache.read' && e.action === 'page').map((e) => e.result);
    expect(reads.filter((r) => r === 'hit')).to.have.length(2);
    expect(reads.filter((r) => r === 'partial')).to.have.length(1);
    expect(reads.filter((r) => r === 'miss')).to.have.length(1);
    const hybrid = events.find((e) => e.op === 'hybrid.query');
    expect(hybrid).to.deep.include({ cache_count: 4, db_count: 1 });
    expect(events.every((e) => e.pod === s.telemetry.monitor.pod && typeof e.duration_ms === 'number')).to.equal(true);
  });

  it('puts no chat content in events, the view, the published snapshot or /metrics', async () => {
    const { code, host } = await chatWithHost(s.t.base);
    const secret = `secret-${randomUUID()}`;
    const sent = await host.post(`/api/chats/${code}/messages`, {
      content: `the ${secret} content`,
      client_id: `cid-${secret.slice(7, 20)}`,
    });
    expect(sent.status).to.equal(201);
    await host.patch(`/api/chats/${code}/messages/${sent.body.id}`, { content: `edited ${secret}` });
    expect((await host.get(`/api/chats/${code}/messages`)).status).to.equal(200);

    // The snapshot published to Redis after these operations.
    const client = (s.t.app.cache as RedisEngine).client;
    const published = await until('a snapshot with the chat', async () => {
      const raw = await client.get(keys.monitorPod(s.telemetry.monitor.pod));
      return raw?.includes(code) ? raw : undefined;
    });
    const view: MonitoringView = await monitoringView(s.t.base);
    expect(view.events.some((e) => e.chat_code === code)).to.equal(true);
    const metricsText = await (await fetch(`${s.t.base}/metrics`)).text();
    for (const [where, text] of [
      ['view', JSON.stringify(view)],
      ['published snapshot', published],
      ['/metrics', metricsText],
    ] as const) {
      expect(text, where).not.to.include(secret);
      expect(text, where).not.to.include(secret.slice(7, 20));
    }
  });

  it('lists the pods that publish to the same Redis, and drops a pod the moment it stops', async () => {
    const other = await startTestApp(s.t.stack, { HOSTNAME: 'pod-live-other' });
    let closed = false;
    try {
      const withOther = await until('the other pod in the view', async () => {
        const v = await monitoringView(s.t.base);
        return v.pods.some((p) => p.pod === 'pod-live-other') ? v : undefined;
      });
      expect(withOther.pods.map((p) => p.pod)).to.include(s.telemetry.monitor.pod);
      expect(withOther.pod).to.equal(s.telemetry.monitor.pod);
      await other.close();
      closed = true;
      expect((await monitoringView(s.t.base)).pods.map((p) => p.pod)).not.to.include('pod-live-other');
    } finally {
      if (!closed) await other.close();
    }
  });
});
