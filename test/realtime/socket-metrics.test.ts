import { expect } from 'chai';
import { startStack, startTestApp, type TestApp } from '../support';
import { chatWithMembers, connect, joinOk, send, until } from '../support/sockets';

/** The gateway reports its connected sockets to /metrics. */
describe('realtime: socket metrics', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp(await startStack('sqlite+memory'));
  });
  after(async () => {
    await t.close();
    await t.stack.dispose();
  });

  const gauge = async () => {
    const text = await (await fetch(`${t.base}/metrics`)).text();
    return Number(/^chatpop_sockets_connected (\d+)/m.exec(text)?.[1]);
  };

  it('counts connected sockets up and down', async () => {
    const before = await gauge();
    const { code, tokens } = await chatWithMembers(t.base, 1);
    const socket = await connect(t.base, tokens[0]);
    expect(await gauge()).to.equal(before + 1);
    await joinOk(socket, { code });
    const ack = await send(socket, code, 'counted');
    expect(ack.ok).to.equal(true);
    socket.disconnect();
    await until(async () => (await gauge()) === before, 'the gauge to drop back');
  });
});
