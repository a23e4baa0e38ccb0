// A throwaway Redis Cluster of masters only, built with `redis-cli --cluster create`.
import { execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { findBinary } from './child-processes';
import { freePort } from './free-port';
import { redisCommand, startRedis, type RedisHandle } from './redis-server';

const REDIS_CLI = findBinary('redis-cli', ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli']);
// Every node listens on port + 10000 too (the cluster bus).
const BUS_PORT_OFFSET = 10_000;
const STATE_OK_TIMEOUT_MS = 20_000;

export interface StartRedisClusterOptions {
  /** Number of masters (each owns a share of the slots, no replicas); at least 3. @default 3 */
  masters?: number;
}

export interface RedisClusterHandle {
  nodes: { host: string; port: number }[];
  /** `host:port,host:port,…`, the format of REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  /** The node servers, for tests that stop, kill or pause one. */
  servers: RedisHandle[];
  /** Stops every node; resolves once all are gone. */
  stop(): Promise<void>;
}

/** Starts a cluster and waits until every node reports cluster_state:ok. */
export async function startRedisCluster(opts: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = opts.masters ?? 3;
  if (masters < 3) throw new Error(`redis-cli --cluster create needs at least 3 masters, got ${masters}`);
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePort({ alsoFree: [BUS_PORT_OFFSET] }));

  const started = await Promise.allSettled(
    ports.map((port) =>
      startRedis({
        port,
        // Relative to --dir, which is the node's own temp dir.
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
      }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => void (await Promise.all(servers.map((s) => s.stop())));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await createCluster(ports);
    await waitForStateOk(ports);
  } catch (err) {
    await stop();
    throw err;
  }

  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return { nodes, nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','), servers, stop };
}

function createCluster(ports: number[]): Promise<void> {
  const args = ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'];
  return new Promise((resolve, reject) => {
    execFile(REDIS_CLI, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      // redis-cli prints its [ERR] lines on stdout, so keep both.
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

async function waitForStateOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + STATE_OK_TIMEOUT_MS;
  for (const port of ports) {
    for (;;) {
      const info = String(await redisCommand(port, ['CLUSTER', 'INFO']));
      if (info.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) {
        throw new Error(`127.0.0.1:${port} still reports ${info.match(/cluster_state:\w+/)?.[0]} after ${STATE_OK_TIMEOUT_MS} ms`);
      }
      // Nodes learn the slot map by gossip and emit no event for it, so poll.
      await delay(50);
    }
  }
}
