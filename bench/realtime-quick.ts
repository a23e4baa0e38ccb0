/**
 * Quick realtime figures for the closing notes (not the benchmark: see run.ts).
 * `npm run build && node dist/bench/realtime-quick.js`
 *
 * Two server processes on one PostgreSQL and one Redis (as two pods); RT_ROOMS chats of RT_SOCKETS
 * sockets each, spread over both pods; every socket keeps RT_DEPTH sends outstanding for RT_SECONDS.
 * Prints `message:new` deliveries per second (fan-out included), send→deliver and send→ack latency,
 * order violations (must be 0), and how many deliveries the pods had to read from history instead
 * of getting them announced by the other pod.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../src/realtime';
import { ApiClient } from '../test/support/api-client';
import { cleanupAll } from '../test/support/child-processes';
import { createTestDatabase, stopPostgres } from '../test/support/postgres';
import { startRedis } from '../test/support/redis-server';
import { startServerProcess, type ServerProcess } from '../test/support/server-process';
import { summarize } from './stats';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROOMS = num('RT_ROOMS', 4);
const SOCKETS = num('RT_SOCKETS', 10);
const DEPTH = num('RT_DEPTH', 1);
const SECONDS = num('RT_SECONDS', 5);
const SECRET = 'bench-session-secret-0123456789abcdef';

interface Member {
  socket: ChatSocket;
  code: string;
  lastSeq: number;
}

async function chat(base: string, members: number): Promise<{ code: string; tokens: string[] }> {
  const api = new ApiClient(base);
  const host = `h${randomUUID().slice(0, 8)}`;
  const reg = await api.post('/api/auth/register', { username: host, password: 'correct-horse-1' });
  const made = await api.withToken(reg.body.token).post('/api/chats', { name: 'bench' });
  const code: string = made.body.code;
  const tokens = [];
  for (let i = 0; i < members; i++) tokens.push((await api.post(`/api/chats/${code}/join`, { username: `m${i}` })).body.session_token as string);
  return { code, tokens };
}

function connect(base: string, token: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function main() {
  const [redis, db] = await Promise.all([startRedis(), createTestDatabase()]);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    NODE_ENV: 'production',
    MIGRATE_ON_START: 'true',
    SESSION_SECRET: SECRET,
    LOG_LEVEL: 'info',
    SEND_RATE_LIMIT: '100000',
    JOIN_RATE_LIMIT: '1000000',
    JOIN_RATE_LIMIT_PER_CHAT: '1000000',
  };
  const pods: ServerProcess[] = [await startServerProcess({ ...env, HOSTNAME: 'pod-a' })];
  pods.push(await startServerProcess({ ...env, HOSTNAME: 'pod-b', MIGRATE_ON_START: 'false' }));

  const members: Member[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const { code, tokens } = await chat(pods[0].url, SOCKETS);
    for (const [i, token] of tokens.entries()) members.push({ socket: await connect(pods[i % 2].url, token), code, lastSeq: 0 });
  }
  for (const m of members) {
    const ack = await m.socket.timeout(10_000).emitWithAck('chat:join', { code: m.code });
    if (!ack.ok) throw new Error(`join: ${JSON.stringify(ack.error)}`);
    m.lastSeq = ack.last_seq;
  }

  const deliverMs: number[] = [];
  const ackMs: number[] = [];
  let delivered = 0;
  let orderErrors = 0;
  let failed = 0;
  let measuring = false;
  for (const m of members) {
    m.socket.on('message:new', (msg) => {
      if (msg.seq !== m.lastSeq + 1) orderErrors++;
      m.lastSeq = Math.max(m.lastSeq, msg.seq);
      if (!measuring) return;
      delivered++;
      deliverMs.push(performance.now() - Number(msg.content));
    });
  }

  let sending = true;
  const lanes = members.flatMap((m) =>
    Array.from({ length: DEPTH }, async () => {
      while (sending) {
        const t0 = performance.now();
        const ack = await m.socket.timeout(15_000).emitWithAck('message:send', { code: m.code, content: String(t0) });
        if (!ack.ok) failed++;
        else if (measuring) ackMs.push(performance.now() - t0);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  sending = false;
  await Promise.all(lanes);

  const d = summarize(deliverMs);
  const a = summarize(ackMs);
  for (const m of members) m.socket.close();
  const stats = [];
  for (const p of pods) {
    await p.stop('SIGTERM');
    const line = p.output().split('\n').find((l) => l.includes('realtime connections closed'));
    stats.push(line ? JSON.parse(line).delivery : null);
  }
  console.log(
    `2 pods, ${ROOMS} chats × ${SOCKETS} sockets, ${DEPTH} send(s) outstanding per socket, ${seconds.toFixed(1)} s\n` +
      `  delivered ${(delivered / seconds).toFixed(0)} message:new/s (${(ackMs.length / seconds).toFixed(0)} sends/s × ${SOCKETS} receivers)\n` +
      `  send→deliver p50 ${d.p50} ms  p99 ${d.p99} ms  max ${d.max} ms\n` +
      `  send→ack     p50 ${a.p50} ms  p99 ${a.p99} ms\n` +
      `  order violations ${orderErrors}, failed sends ${failed}\n` +
      `  pods' delivery counters (from history = gaps filled by a read): ${JSON.stringify(stats)}`,
  );
  await redis.stop();
  await db.drop();
  await stopPostgres();
  await cleanupAll();
}

main().catch(async (err) => {
  console.error(err);
  await cleanupAll();
  process.exit(1);
});
