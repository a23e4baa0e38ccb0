import { expect } from 'chai';
import { useTestApp } from '../support';
import { chatWithMembers, connect, joinOk, send, until } from '../support/sockets';

/** The gateway reports its connected sockets to /metrics. */
describe('realtime: socket metrics', function () {
  this.timeout(30_000);

  const app = useTestApp('sqlite+memory');

  const gauge = async () => {
    const text = await (await fetch(`${app().base}/metrics`)).text();
    return Number(/^chatpop_sockets_connected (\d+)/m.exec(text)?.[1]);
  };

  it('counts connected sockets up and down', async () => {
    const t = app();
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
