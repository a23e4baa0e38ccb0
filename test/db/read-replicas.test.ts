import { expect } from 'chai';
import pg from 'pg';
import {
  ApiClient,
  chatWithHost,
  parsePrometheus,
  sampleValue,
  startOwnPostgres,
  startTestApp,
  type OwnPostgres,
  type TestApp,
} from '../support';

async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Until the standby has replayed everything the primary has written so far. */
async function caughtUp(primary: string, standby: string): Promise<void> {
  const [{ lsn }] = await sql<{ lsn: string }>(primary, 'select pg_current_wal_lsn()::text as lsn');
  for (let i = 0; i < 200; i++) {
    const [{ done }] = await sql<{ done: boolean }>(standby, `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as done`);
    if (done) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the standby did not catch up');
}

/** Index and sequential scans of `messages` on one server (a standby counts its own). */
async function messageScans(url: string): Promise<number> {
  const [row] = await sql<{ n: string }>(
    url,
    `select coalesce(idx_scan, 0) + coalesce(seq_scan, 0) as n from pg_stat_user_tables where relname = 'messages'`,
  );
  return Number(row?.n ?? 0);
}

/** Whether the standby's scans of messages pass `before` (a backend reports its counts within about 10 s of going idle). */
async function scansAbove(url: string, before: number): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    if ((await messageScans(url)) > before) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

// Issue #24: DATABASE_READ_URLS, history pages the cache cannot serve read from a real streaming standby.
describe('read replicas: deep history pages from a streaming standby, whole even while it lags', function () {
  this.timeout(120_000);
  let primary: OwnPostgres;
  let standby: { url: string; dispose(): Promise<void> };
  let t: TestApp;

  before(async () => {
    primary = await startOwnPostgres();
    standby = await primary.standby();
    const stack = { name: 'postgres+redis' as const, env: { DATABASE_URL: primary.url }, dispose: async () => undefined };
    t = await startTestApp(stack, { DATABASE_READ_URLS: standby.url, MESSAGE_CACHE_MAX_COUNT: '5' });
  });

  after(async () => {
    await t?.close();
    await standby?.dispose();
    await primary?.dispose();
  });

  const replicaReads = async (result: string) =>
    sampleValue(parsePrometheus((await new ApiClient(t.base).get<string>('/metrics')).body).samples, 'chatpop_db_replica_reads_total', {
      result,
    }) ?? 0;
  const seqs = (page: { body: { messages: { seq: number }[] } }) => page.body.messages.map((m) => m.seq);

  it('serves a page below the cache window from the standby; with replay paused, new messages and an edit, re-reads from the primary and counts the lag', async () => {
    const { code, host } = await chatWithHost(t.base);
    const ids: string[] = [];
    for (let i = 1; i <= 30; i++) ids.push((await host.post(`/api/chats/${code}/messages`, { content: `m${i}` })).body.id);
    await caughtUp(primary.url, standby.url);

    const [served, scans] = [await replicaReads('served'), await messageScans(standby.url)];
    const deep = await host.get(`/api/chats/${code}/messages?before=11&limit=10`);
    expect(seqs(deep)).to.deep.equal([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(await replicaReads('served'), 'pages the standby served').to.equal(served + 1);
    expect(await scansAbove(standby.url, scans), 'the standby read messages').to.equal(true);

    await sql(standby.url, 'select pg_wal_replay_pause()');
    try {
      for (let i = 31; i <= 40; i++) await host.post(`/api/chats/${code}/messages`, { content: `m${i}` });
      expect((await host.patch(`/api/chats/${code}/messages/${ids[2]}`, { content: 'edited' })).status).to.equal(200);
      const lagging = await replicaReads('lagging');

      // 26..35: below the window (36..40); the standby has replayed up to 30 only.
      const newer = await host.get(`/api/chats/${code}/messages?before=36&limit=10`);
      expect(seqs(newer)).to.deep.equal([35, 34, 33, 32, 31, 30, 29, 28, 27, 26]);
      // 1..10: the standby has all ten rows, but not the edit of seq 3 made just before.
      const edited = await host.get(`/api/chats/${code}/messages?before=11&limit=10`);
      expect(edited.body.messages.find((m: { seq: number }) => m.seq === 3).content).to.equal('edited');
      expect(await replicaReads('lagging'), 'pages re-read from the primary').to.equal(lagging + 2);
    } finally {
      await sql(standby.url, 'select pg_wal_replay_resume()');
    }
  });
});
