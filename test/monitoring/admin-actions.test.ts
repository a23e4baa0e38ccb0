import { expect } from 'chai';
import { Writable } from 'node:stream';
import { keys, type RedisEngine } from '../../src/cache';
import { createLogger } from '../../src/logger';
import { ApiClient, TEST_ADMIN_TOKEN, chatWithHost, startStack, startTestApp, type Stack, type TestApp } from '../support';
import { admin } from './helpers';

/** The audit lines the app logged, parsed. */
type Audit = { who?: string; at?: string; action?: string; chat_code?: string; outcome?: string; error?: string };

describe('staff actions on a chat (postgres+redis)', function () {
  this.timeout(40_000);
  let stack: Stack;
  let t: TestApp;
  const lines: string[] = [];
  const audits = (): Audit[] => lines.map((l) => JSON.parse(l) as { audit?: Audit }).flatMap((l) => (l.audit ? [l.audit] : []));

  before(async () => {
    stack = await startStack('postgres+redis');
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestApp(stack, {}, undefined, createLogger('info', 'chatpop', sink));
  });

  after(async () => {
    await t?.close();
    await stack?.dispose();
  });

  const redis = () => (t.app.cache as RedisEngine).client;

  it("clears a chat's cache: its keys are gone, the next read comes from the database, and the action is audited", async () => {
    const { code, host } = await chatWithHost(t.base);
    for (let i = 0; i < 3; i++) expect((await host.post(`/api/chats/${code}/messages`, { content: `m ${i}` })).status).to.equal(201);
    expect(await redis().exists(keys.window(code, 'main'), keys.meta(code))).to.equal(2);

    const res = await admin(t.base).post(`/admin/chats/${code.toLowerCase()}/clear-cache`);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ ok: true, action: 'clear_chat_cache', chat_code: code });
    expect(await redis().exists(keys.window(code, 'main'), keys.meta(code))).to.equal(0);
    const read = await host.get(`/api/chats/${code}/messages`);
    expect(read.body.source).to.equal('db');
    expect(read.body.messages).to.have.length.of.at.least(3);

    const audit = audits().find((a) => a.action === 'clear_chat_cache' && a.chat_code === code);
    expect(audit).to.include({ outcome: 'done' });
    expect(audit?.who).to.match(/^sha256:[0-9a-f]{12}$/);
    expect(Date.parse(audit!.at!)).to.be.closeTo(Date.now(), 60_000);
    expect(lines.join('\n')).not.to.include(TEST_ADMIN_TOKEN);
  });

  it("repairs a chat's window from the database and says what it holds", async () => {
    const { code, host } = await chatWithHost(t.base);
    for (let i = 0; i < 4; i++) expect((await host.post(`/api/chats/${code}/messages`, { content: `m ${i}` })).status).to.equal(201);
    await redis().del(keys.window(code, 'main'));
    const res = await admin(t.base).post(`/admin/chats/${code}/repair`);
    expect(res.status).to.equal(200);
    const main = res.body.result.windows.find((w: { channel: string }) => w.channel === 'main');
    expect(main.count).to.be.at.least(4);
    expect(await redis().zcard(keys.window(code, 'main'))).to.equal(main.count);
  });

  it('refuses a malformed code (400) and an unknown chat (404), auditing the refused action', async () => {
    const bad = await admin(t.base).post('/admin/chats/not-a-code!/repair');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('invalid_input');
    const unknown = await admin(t.base).post('/admin/chats/ZZZZ0000/clear-cache');
    expect(unknown.status).to.equal(404);
    expect(audits().find((a) => a.chat_code === 'ZZZZ0000')).to.include({
      action: 'clear_chat_cache',
      outcome: 'failed',
      error: 'not_found',
    });
  });

  it('tells a wrong token apart from a missing one, and runs nothing for it', async () => {
    const { code, host } = await chatWithHost(t.base);
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'cached' })).status).to.equal(201);
    const wrong = await new ApiClient(t.base, 'a-stale-token').post(`/admin/chats/${code}/clear-cache`);
    expect(wrong.status).to.equal(403);
    expect(wrong.body.error.message).to.match(/^wrong admin token: it is not this server's ADMIN_TOKEN/);
    const none = await new ApiClient(t.base).post(`/admin/chats/${code}/clear-cache`);
    expect(none.status).to.equal(401);
    expect(await redis().exists(keys.meta(code))).to.equal(1);
    expect(audits().filter((a) => a.chat_code === code)).to.deep.equal([]);
  });
});
