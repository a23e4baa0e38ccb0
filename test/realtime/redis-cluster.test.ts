import { expect } from 'chai';
import Redis from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from '../support';
import { chatWithMembers, connect, joinOk, send, startPods, until, type Pods } from '../support/sockets';

/** The sharded adapter's namespace channel, where server-side events travel. */
const ADAPTER_CHANNEL = 'socket.io#/#';
import { concurrentSendersOverPods } from './scenarios';

// The delivery scenario of multi-pod.test.ts on a 3-master Redis Cluster: the sharded adapter
// (SPUBLISH/SSUBSCRIBE) carries the pods' announcements, presence lives in the chat's slot.
describe('realtime across pods on a Redis Cluster (3 masters, sharded adapter)', function () {
  this.timeout(40_000);
  let cluster: RedisClusterHandle;
  let pods: Pods;

  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    pods = await startPods(2, {}, { REDIS_CLUSTER_NODES: cluster.nodesEnv });
  });
  after(async () => {
    await pods?.stop();
    await cluster?.stop();
  });

  it('12 clients on 2 pods sending at once: every ack ok, every client gets every message once, in seq order', async () => {
    await concurrentSendersOverPods(
      pods.pods.map((p) => p.url),
      12,
      15,
    );
  });

  it('announces commits over sharded pub/sub, which both pods subscribe to, and keeps presence in the chat’s slot', async () => {
    const base = pods.pods[0].url;
    const { code, tokens } = await chatWithMembers(base, 1);
    const listener = new Redis.Cluster(cluster.nodes, { lazyConnect: true, shardedSubscribers: true });
    const heard: string[] = [];
    listener.on('smessageBuffer', (_channel: Buffer, message: Buffer) => heard.push(message.toString()));
    const s = await connect(base, tokens[0]);
    try {
      await listener.connect();
      await listener.ssubscribe(ADAPTER_CHANNEL);
      await joinOk(s, { code });
      expect((await send(s, code, 'over the shard')).ok).to.equal(true);
      await until(() => heard.some((m) => m.includes('chat:change') && m.includes(code)), 'the announcement on the sharded channel');
      const owner = listener.nodes('master');
      const counts = await Promise.all(owner.map((n) => n.call('PUBSUB', 'SHARDNUMSUB', ADAPTER_CHANNEL) as Promise<[string, number]>));
      expect(Math.max(...counts.map((c) => Number(c[1])))).to.equal(3); // two pods and this listener
      await until(async () => (await listener.zcard(`chat:{${code}}:online`)) === 1, 'the presence entry');
    } finally {
      s.close();
      listener.disconnect();
    }
  });
});
