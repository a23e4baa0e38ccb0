import { expect } from 'chai';
import { chatWithHost, startStack, startTestApp, type Stack, type TestApp } from '../support';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { connect, joinOk, send, type ChatSocket } from '../support/sockets';

describe('sends while PostgreSQL is down (postgres+redis, through a proxy the test cuts)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let proxy: TcpProxy;
  let t: TestApp;

  before(async () => {
    stack = await startStack('postgres+redis');
    const url = new URL(stack.env.DATABASE_URL!);
    proxy = await startTcpProxy(Number(url.port), url.hostname);
    url.port = String(proxy.port);
    t = await startTestApp(stack, { DATABASE_URL: url.toString(), SEND_RATE_LIMIT: '100000' });
  });
  after(async () => {
    await proxy.restore();
    await t.close();
    await proxy.close();
    await stack.dispose();
  });

  it('answers 503 unavailable at once over HTTP and socket.io, never acks, and sends again once it is back', async () => {
    const { code, host } = await chatWithHost(t.base);
    const socket: ChatSocket = await connect(t.base, host.token);
    try {
      await joinOk(socket, { code });
      expect((await host.post(`/api/chats/${code}/messages`, { content: 'before' })).status).to.equal(201);

      await proxy.cut();
      const started = Date.now();
      const http = await host.post(`/api/chats/${code}/messages`, { content: 'during (http)' });
      expect(http.status, JSON.stringify(http.body)).to.equal(503);
      expect(http.body.error.code).to.equal('unavailable');
      const ack = await send(socket, code, 'during (socket)');
      expect(ack).to.deep.include({ ok: false });
      expect((ack as { error: { code: string } }).error.code).to.equal('unavailable');
      expect(Date.now() - started, 'both answered within the connect timeout, not the pool default of a minute').to.be.below(15_000);
      expect((await host.get('/ready')).status).to.equal(503);

      await proxy.restore();
      let after = await host.post(`/api/chats/${code}/messages`, { content: 'after' });
      for (let i = 0; i < 50 && after.status !== 201; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await host.post(`/api/chats/${code}/messages`, { content: 'after' });
      }
      expect(after.status, JSON.stringify(after.body)).to.equal(201);
      const page = await host.get(`/api/chats/${code}/messages`);
      // Nothing of the outage was stored, and the seqs stay contiguous (newest first).
      expect(page.body.messages.map((m: { content: string; seq: number }) => [m.seq, m.content])).to.deep.equal([
        [2, 'after'],
        [1, 'before'],
      ]);
    } finally {
      socket.close();
    }
  });
});
