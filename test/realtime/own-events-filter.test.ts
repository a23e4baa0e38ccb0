import { expect } from 'chai';
import { Server } from 'socket.io';
import { createRealtimeAdapter, type RealtimeAdapter } from '../../src/realtime';
import { redisCommand, startRedis, type RedisHandle } from '../support';
import { until } from '../support/sockets';

/** The Redis adapter's request channel of the default namespace. */
const REQUEST_CHANNEL = 'socket.io-request#/#';

// Two socket.io servers on one real Redis through ChatPop's adapter: what each pod's subscriber
// hands its adapter.
describe('Redis adapter subscriber: a pod’s own server-side events', function () {
  this.timeout(20_000);
  let redis: RedisHandle;
  const adapters: RealtimeAdapter[] = [];
  const servers: Server[] = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    // Servers never attached to HTTP: closing one is closing its namespace's adapter.
    for (const io of servers.splice(0)) await io.of('/').adapter.close();
    await Promise.all(adapters.splice(0).map((a) => a.close()));
  });

  async function pod(): Promise<{ io: Server; adapter: RealtimeAdapter; heard: unknown[] }> {
    const adapter = await createRealtimeAdapter({ kind: 'single', url: redis.url });
    adapters.push(adapter);
    const io = new Server({ adapter: adapter.adapter });
    servers.push(io);
    const heard: unknown[] = [];
    io.on('test:event', (payload: unknown) => heard.push(payload));
    return { io, adapter, heard };
  }

  async function bothSubscribed(): Promise<void> {
    await until(async () => {
      const [, count] = (await redisCommand(redis.port, ['PUBSUB', 'NUMSUB', REQUEST_CHANNEL])) as [string, number];
      return Number(count) === 2;
    }, 'both adapters to subscribe');
  }

  it('drops its own server-side events before the adapter parses them, and still delivers them to the other pod', async () => {
    const a = await pod();
    const b = await pod();
    await bothSubscribed();

    for (let i = 0; i < 5; i++) a.io.serverSideEmit('test:event', { n: i });

    await until(() => b.heard.length === 5, 'pod B to hear pod A’s events');
    await until(() => a.adapter.ownEventsDropped() === 5, 'pod A’s subscriber to drop its own events');
    expect(b.heard).to.deep.equal([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(a.heard).to.deep.equal([]);
    expect(b.adapter.ownEventsDropped()).to.equal(0);
  });

  it('lets its other requests through: a cross-pod fetch still gets the other pod’s answer, and nothing of it is dropped', async () => {
    const a = await pod();
    await pod();
    await bothSubscribed();

    // fetchSockets publishes a request that every pod, this one included, hears; it resolves
    // once the other pod answered, by which time this pod's subscriber has heard its own request.
    expect(await a.io.fetchSockets()).to.deep.equal([]);
    expect(a.adapter.ownEventsDropped()).to.equal(0);
  });
});
