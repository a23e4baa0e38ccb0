import { expect } from 'chai';
import Redis from 'ioredis';
import { startServerProcess, type ServerProcess } from '../support';
import { chatWithMembers, connect, Inbox, joinOk, send, startPods, until, type ChatSocket, type Pods } from '../support/sockets';

/** The Redis adapter's request channel, where server-side events travel. */
const ADAPTER_CHANNEL = 'socket.io-request#/#';

// A pod alone on its Redis announces its commits to nobody: it leaves them out (peer-pods.ts), and
// announces again the moment a second pod starts.
describe('a pod alone, then a second one (server processes, Redis adapter, PostgreSQL)', function () {
  this.timeout(40_000);
  let pods: Pods;
  let second: ServerProcess | undefined;
  let monitor: Redis | undefined;
  const sockets: ChatSocket[] = [];

  before(async () => {
    pods = await startPods(1);
  });
  after(async () => {
    for (const s of sockets.splice(0)) s.close();
    monitor?.disconnect();
    await second?.kill();
    await pods?.stop();
  });

  const open = async (base: string, token: string) => {
    const s = await connect(base, token);
    sockets.push(s);
    return s;
  };

  it('publishes no announcement while alone; once a second pod starts, its clients get the next message at once', async () => {
    const base = pods.pods[0].url;
    // MONITOR sees every command without subscribing: it is no listener the pod would count.
    const published: string[] = [];
    // lazyConnect: monitor() opens a connection of its own, the client none.
    monitor = await new Redis(pods.redis!.url, { lazyConnect: true }).monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'publish' && args[1] === ADAPTER_CHANNEL) published.push(args[2] ?? '');
    });
    const { code, tokens } = await chatWithMembers(base, 3);
    const s0 = await open(base, tokens[0]);
    await joinOk(s0, { code });
    expect((await send(s0, code, 'for nobody else')).ok).to.equal(true);
    // A later publish of the pod's, on the same connection: any announcement of that send came before it.
    const s1 = await open(base, tokens[1]);
    await joinOk(s1, { code });
    await until(() => published.some((p) => p.includes('presence:changed') && p.includes(code)), "the pod's presence news");
    expect(published.filter((p) => p.includes('for nobody else'))).to.deep.equal([]);

    second = await startServerProcess({ ...pods.env, HOSTNAME: 'pod-1', MIGRATE_ON_START: 'false' });
    const s2 = await open(second.url, tokens[2]);
    const inbox = new Inbox(s2);
    await joinOk(s2, { code });
    expect((await send(s0, code, 'for the newcomer')).ok).to.equal(true);
    // Had the first pod gone on leaving its announcements out, nothing would bring this message: no later one shows a gap.
    await until(() => inbox.messages.some((m) => m.content === 'for the newcomer'), "the newcomer's client getting the message");
    expect(published.some((p) => p.includes('for the newcomer'))).to.equal(true);
  });
});
