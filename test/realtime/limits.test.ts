import { expect } from 'chai';
import { io } from 'socket.io-client';
import { ApiClient, chatWithHost, startStack, startTestApp, uniqueName, type Stack, type TestApp } from '../support';
import { chatWithMembers, connect, connectError, type ChatSocket, type RawSocket } from '../support/sockets';

// Issue #22, abuse resistance 3: 40/40 anonymous joins from one address succeeded (each a new
// participant with a fresh send bucket), 30 sockets on one token connected, 300 unknown events
// were all answered. Each now has a limit (JOIN_RATE_LIMIT, JOIN_RATE_LIMIT_PER_CHAT,
// SOCKETS_PER_SESSION, UNKNOWN_EVENT_LIMIT), refused with rate_limited and retry_after.
describe('join and connection limits', function () {
  this.timeout(60_000);
  let stack: Stack;
  const sockets: ChatSocket[] = [];

  before(async () => {
    stack = await startStack('sqlite+memory');
  });
  after(async () => {
    await stack.dispose();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  async function withApp(env: Record<string, string>, run: (t: TestApp) => Promise<void>) {
    const t = await startTestApp(stack, env);
    try {
      await run(t);
    } finally {
      await t.close();
    }
  }

  const joinAs = (t: TestApp, code: string, headers: Record<string, string> = {}, token?: string) =>
    new ApiClient(t.base, token).request('POST', `/api/chats/${code}/join`, { username: uniqueName('g') }, headers);

  function expectRateLimited(res: { status: number; body: any; headers: Headers }) {
    expect(res.status, JSON.stringify(res.body)).to.equal(429);
    expect(res.body.error.code).to.equal('rate_limited');
    expect(res.body.error.retry_after).to.be.at.least(1);
    expect(res.headers.get('retry-after')).to.equal(String(res.body.error.retry_after));
  }

  it('refuses the 31st join within a minute from one address (JOIN_RATE_LIMIT, default 30)', () =>
    withApp({}, async (t) => {
      const { code } = await chatWithHost(t.base); // the host's own join is the first of the 30
      // At once, so the bucket cannot refill (one join every 2 s) while they arrive.
      const res = await Promise.all(Array.from({ length: 30 }, () => joinAs(t, code)));
      expect(res.filter((r) => r.status === 200).length, JSON.stringify(res.map((r) => r.status))).to.equal(29);
      expectRateLimited(res.find((r) => r.status !== 200)!);
    }));

  it('refuses anonymous joins of one chat beyond JOIN_RATE_LIMIT_PER_CHAT from any address, not its registered members', () =>
    withApp({ PROXY_HOPS: '1', JOIN_RATE_LIMIT_PER_CHAT: '5' }, async (t) => {
      const { code, user, username } = await chatWithHost(t.base); // a user's join: not counted
      const res = await Promise.all(Array.from({ length: 6 }, (_, i) => joinAs(t, code, { 'x-forwarded-for': `198.51.100.${i + 1}` })));
      expect(res.filter((r) => r.status === 200).length, JSON.stringify(res.map((r) => r.status))).to.equal(5);
      expectRateLimited(res.find((r) => r.status !== 200)!);
      const member = await user.post(`/api/chats/${code}/join`, { username });
      expect(member.status, 'the registered host joins again').to.equal(200);
    }));

  it('refuses a connection beyond SOCKETS_PER_SESSION (default 10) per session token, until one closes', () =>
    withApp({}, async (t) => {
      const { tokens } = await chatWithMembers(t.base, 1);
      for (let i = 0; i < 10; i++) sockets.push(await connect(t.base, tokens[0]));
      const err = await connectError(t.base, tokens[0]);
      expect(err.data).to.include({ code: 'rate_limited' });
      expect((err.data as { retry_after?: number }).retry_after).to.be.at.least(1);
      const closed = sockets.pop()!;
      const gone = new Promise((r) => closed.once('disconnect', r));
      closed.close();
      await gone;
      // The server notices the close a moment after the client: retry until it has.
      for (let attempt = 0; ; attempt++) {
        const s = await connect(t.base, tokens[0]).catch((e: unknown) => e as Error);
        if (!(s instanceof Error)) {
          sockets.push(s);
          break;
        }
        if (attempt >= 50) throw s;
        await new Promise((r) => setImmediate(r));
      }
    }));

  it('does not count a connection that closed while its token was checked (it never connects, so never disconnects)', () =>
    withApp({ SOCKETS_PER_SESSION: '2' }, async (t) => {
      const { tokens } = await chatWithMembers(t.base, 1);
      // The client closes right after its CONNECT packet: the server reads both at once, so the
      // connection is closed before the token's check ends.
      for (let i = 0; i < 4; i++) {
        const s = io(t.base, { auth: { token: tokens[0] }, transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((resolve) =>
          s.io.once('open', () => {
            s.io.engine.once('close', () => resolve());
            s.io.engine.close();
          }),
        );
        s.close();
      }
      // Two may connect: none of the four is still counted.
      for (let i = 0; i < 2; i++) sockets.push(await connect(t.base, tokens[0]));
    }));

  it('answers unknown events not_found up to UNKNOWN_EVENT_LIMIT (default 20) a minute, then rate_limited', () =>
    withApp({}, async (t) => {
      const { tokens } = await chatWithMembers(t.base, 1);
      const s = await connect(t.base, tokens[0]);
      sockets.push(s);
      const raw = s as unknown as RawSocket;
      // At once, so the bucket cannot refill (one event every 3 s) while they arrive; answered in order.
      const acks = await Promise.all(Array.from({ length: 22 }, () => raw.timeout(10_000).emitWithAck('no:such:event', {})));
      expect(acks.map((a) => a.error.code)).to.deep.equal([...Array(20).fill('not_found'), 'rate_limited', 'rate_limited']);
      expect(acks[21].error.retry_after).to.be.at.least(1);
    }));
});
