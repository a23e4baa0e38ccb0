// Load generator (child process): reconnect recovery. Command:
//   run {url, code, token, senderToken, missed}
// A client joins and leaves; `missed` messages are sent while it is away; it reconnects with
// chat:join {since_seq} and pages whatever the ack could not hold over REST (?after=), until it
// holds every missed seq. Reports the join ack time and the time to hold them all.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { benchContent } from './bare-message';
import { serveCommands } from './worker-main';

const ACK_TIMEOUT_MS = 30_000;
const REST_PAGE = 200;
const SEND_DEPTH = 32;

export interface RecoveryResult {
  missed: number;
  connect_ms: number;
  join_ack_ms: number;
  total_ms: number;
  in_ack: number;
  recovered_flag: boolean;
  rest_pages: number;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`connect: ${err.message}`)));
  });
}

function emit<T>(socket: Socket, event: string, payload: object): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err: Error | null, res: T & { ok: boolean; error?: unknown }) => {
      if (err) reject(new Error(`${event}: ${err.message}`));
      else if (!res.ok) reject(new Error(`${event}: ${JSON.stringify(res.error)}`));
      else resolve(res);
    });
  });
}

async function sendMany(socket: Socket, code: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SEND_DEPTH }, async () => {
      while (next < count) {
        next++;
        await emit(socket, 'message:send', { code, content: benchContent(`r ${next}`), client_id: randomUUID() });
      }
    }),
  );
}

async function run(args: { url: string; code: string; token: string; senderToken: string; missed: number }): Promise<RecoveryResult> {
  const first = await connect(args.url, args.token);
  const joined = await emit<{ last_seq: number }>(first, 'chat:join', { code: args.code });
  first.disconnect();
  const since = joined.last_seq;

  const sender = await connect(args.url, args.senderToken);
  await emit(sender, 'chat:join', { code: args.code });
  await sendMany(sender, args.code, args.missed);
  sender.disconnect();

  const held = new Set<number>();
  const t0 = performance.now();
  const socket = await connect(args.url, args.token);
  const t1 = performance.now();
  const ack = await emit<{ missed: { seq: number }[]; recovered: boolean; last_seq: number }>(socket, 'chat:join', {
    code: args.code,
    since_seq: since,
  });
  const t2 = performance.now();
  for (const m of ack.missed) held.add(m.seq);
  const target = since + args.missed;
  let pages = 0;
  let after = Math.max(since, ...ack.missed.map((m) => m.seq));
  while (after < target) {
    const res = await fetch(`${args.url}/api/chats/${args.code}/messages?after=${after}&limit=${REST_PAGE}`);
    if (!res.ok) throw new Error(`page after=${after}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { messages: { seq: number }[] };
    pages++;
    if (page.messages.length === 0) throw new Error(`page after=${after} is empty below seq ${target}`);
    for (const m of page.messages) held.add(m.seq);
    after = Math.max(after, ...page.messages.map((m) => m.seq));
  }
  const t3 = performance.now();
  socket.disconnect();
  for (let seq = since + 1; seq <= target; seq++) if (!held.has(seq)) throw new Error(`recovery missed seq ${seq}`);
  const ms = (v: number) => Math.round(v * 100) / 100;
  return {
    missed: args.missed,
    connect_ms: ms(t1 - t0),
    join_ack_ms: ms(t2 - t1),
    total_ms: ms(t3 - t0),
    in_ack: ack.missed.length,
    recovered_flag: ack.recovered,
    rest_pages: pages,
  };
}

serveCommands({ run });
