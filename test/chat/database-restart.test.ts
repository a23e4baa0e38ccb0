import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  startOwnPostgres,
  startRedis,
  startServerProcess,
  TEST_SECRET,
  type OwnPostgres,
  type RedisHandle,
  type ServerProcess,
} from '../support';
import { chatWithMembers, connect, joinOk, send, until, type ChatSocket } from '../support/sockets';

const STOPS = 10;

describe('sends while PostgreSQL restarts (two server processes, a cluster of its own stopped and started)', function () {
  this.timeout(60_000);
  let pg: OwnPostgres;
  let redis: RedisHandle;
  const pods: ServerProcess[] = [];
  const sockets: ChatSocket[] = [];

  before(async () => {
    [pg, redis] = await Promise.all([startOwnPostgres(), startRedis()]);
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'info', SEND_RATE_LIMIT: '100000' };
    pods.push(await startServerProcess({ ...env, HOSTNAME: 'pod-0' }));
    pods.push(await startServerProcess({ ...env, HOSTNAME: 'pod-1', MIGRATE_ON_START: 'false' }));
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all(pods.map((p) => p.kill()));
    await redis?.stop();
    await pg?.dispose();
  });

  it(`refuses the sends a fast shutdown interrupts with 503 unavailable, never internal, over ${STOPS} stops, retries of one client_id included`, async () => {
    const { code, tokens } = await chatWithMembers(pods[0].url, 8);
    for (const [i, token] of tokens.entries()) sockets.push(await connect(pods[i % 2].url, token));
    for (const s of sockets) await joinOk(s, { code });

    const refusals: string[] = [];
    const storedAs = new Map<string, Set<string>>(); // client_id -> the message ids its acks named
    let acked = 0;
    let unanswered = 0;
    let stopped = false;
    // Half the lanes send each message twice at once under one client_id (a batch repeating it takes
    // the ORM's transaction), the others once, sharing those batches; every lane sends again, under
    // the same client_id, until each copy is acked.
    const lane = async (socket: ChatSocket, n: number) => {
      const copies = n % 2 ? 1 : 2;
      while (!stopped) {
        const clientId = randomUUID();
        for (let done = false; !done && !stopped;) {
          const copy = () => send(socket, code, `lane ${n}`, { client_id: clientId }).catch(() => null);
          const acks = await Promise.all(Array.from({ length: copies }, copy));
          done = true;
          for (const ack of acks) {
            if (ack?.ok) {
              acked++;
              storedAs.set(clientId, (storedAs.get(clientId) ?? new Set()).add(ack.message.id));
            } else {
              done = false;
              if (ack) refusals.push(ack.error.code);
              else unanswered++;
            }
          }
          if (!done) await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const lanes = sockets.map((s, i) => lane(s, i));

    try {
      for (let i = 0; i < STOPS; i++) {
        const before = acked;
        await until(() => acked >= before + 20, `sends acked again after restart ${i}`, 20_000);
        await pg.stop();
        await pg.start();
      }
      const before = acked;
      await until(() => acked >= before + 20, 'sends acked after the last restart', 20_000);
    } finally {
      stopped = true;
      await Promise.all(lanes);
    }

    expect(refusals.length, 'some sends were in flight when PostgreSQL stopped').to.be.above(0);
    const others = refusals.filter((c) => c !== 'unavailable');
    expect(
      others,
      `${others.length} of ${refusals.length} refusals were not unavailable (${unanswered} sends unanswered)`,
    ).to.have.lengthOf(0);
    for (const [clientId, ids] of storedAs) expect(ids.size, `messages acked for client_id ${clientId}`).to.equal(1);
  });
});
