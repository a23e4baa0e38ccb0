import { expect } from 'chai';
import { startStack, startTestApp, type Stack } from '../support';
import { chatWithMembers, connect, connectError, history, joinOk, send } from '../support/sockets';

// The order of a graceful stop, made deterministic by holding one send inside the send service.
describe('realtime drain on app.close() (SIGTERM)', function () {
  let stack: Stack;

  before(async () => {
    stack = await startStack('sqlite+memory');
  });
  after(async () => {
    await stack?.dispose();
  });

  it('finishes the send in flight and acks it, refuses new events and connections, then cuts clients off to reconnect', async () => {
    const t = await startTestApp(stack);
    const { code, tokens } = await chatWithMembers(t.base, 2);
    const [a, b] = await Promise.all(tokens.map((token) => connect(t.base, token)));
    await joinOk(a, { code });
    const cutOff = Promise.all([a, b].map((s) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)))));

    const service = t.app.chat.send;
    const original = service.send.bind(service);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    service.send = async (...args) => {
      entered();
      await gate;
      return original(...args);
    };

    const inFlight = send(a, code, 'in flight at SIGTERM');
    await inside;
    const closing = t.app.close();
    const late = await send(b, code, 'too late');
    expect(late).to.deep.equal({ ok: false, error: { code: 'unavailable', message: 'the server is shutting down; reconnect and retry' } });
    release();

    const ack = await inFlight;
    expect(ack.ok).to.equal(true);
    expect(await cutOff).to.deep.equal(['transport close', 'transport close']);
    await closing;

    // The acked send is committed: a new app on the same database serves it.
    const again = await startTestApp(stack);
    try {
      const all = await history(again.base, code);
      expect(all.map((m) => m.content)).to.deep.equal(['in flight at SIGTERM']);
    } finally {
      await again.close();
    }
  });

  it('refuses new connections once draining', async () => {
    const t = await startTestApp(stack);
    const { tokens } = await chatWithMembers(t.base, 1);
    void t.app.realtime.drain(1000);
    const err = await connectError(t.base, tokens[0]);
    expect(err.data?.code).to.equal('unavailable');
    await t.close();
  });
});
