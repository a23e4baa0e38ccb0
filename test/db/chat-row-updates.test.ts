import { expect } from 'chai';
import { Client } from 'pg';
import { chatWithHost, startStack, startTestApp, type Stack, type TestApp } from '../support';

const SENDS = 30;

/** `chats` row updates so far, once the backends that made them have reported them. */
async function chatUpdates(url: string, atLeast: number): Promise<{ updates: number; hot: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // A backend reports its table statistics when it goes idle for a while or exits; the app's
    // connections are closed, so they arrive within moments.
    for (let waited = 0; ; waited += 100) {
      const { rows } = await client.query<{ updates: string; hot: string }>(
        "select n_tup_upd as updates, n_tup_hot_upd as hot from pg_stat_user_tables where relname = 'chats'",
      );
      const r = { updates: Number(rows[0]?.updates ?? 0), hot: Number(rows[0]?.hot ?? 0) };
      if (r.updates >= atLeast || waited >= 10_000) return r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

describe('chat rows under sends (PostgreSQL)', function () {
  this.timeout(30_000);
  let stack: Stack;
  let t: TestApp;

  before(async () => {
    stack = await startStack('postgres+redis');
    t = await startTestApp(stack, { SEND_RATE_LIMIT: '100000' });
  });
  after(async () => {
    await t?.close();
    await stack?.dispose();
  });

  it("updates the chat's row in place (HOT) on every send, so a busy chat does not bloat chats and its indexes", async () => {
    const { code, host } = await chatWithHost(t.base);
    for (let i = 0; i < SENDS; i++) {
      const res = await host.post(`/api/chats/${code}/messages`, { content: `m${i}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    await t.close();

    const { updates, hot } = await chatUpdates(stack.env.DATABASE_URL!, SENDS);
    expect(updates, 'every send updated its chat row').to.be.at.least(SENDS);
    // An index on a column the send sets (last_message_at had one) makes each of these a new row
    // version plus an entry in every index of chats.
    expect(hot, 'updates that could stay in place').to.equal(updates);
  });
});
