// Socket clients for the tests (realtime and every other folder that opens sockets): typed with the server's own event map.
import { io, type Socket } from 'socket.io-client';
import type { MessageView } from '../../src/chat';
import type {
  Ack,
  ClientToServerEvents,
  ConversationCreated,
  InboxUpdate,
  JoinPayload,
  JoinResult,
  PresenceUpdate,
  ServerToClientEvents,
} from '../../src/realtime';
import { ApiClient, uniqueName } from './api-client';
import { createTestDatabase, type TestDatabase } from './postgres';
import { startRedis, type RedisHandle } from './redis-server';
import { startServerProcess, type ServerProcess } from './server-process';
import { TEST_SECRET } from './stacks';
import { socketContract, watchSocket } from './api-contract';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** For sending what the typed client would refuse to (malformed payloads). */
export type RawSocket = {
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<any> };
};

const ACK_TIMEOUT_MS = 10_000;

/** Connects over WebSocket; rejects with the connect_error (its `data` is `{code, message}`). */
export async function connect(base: string, token: string | undefined, opts: { reconnection?: boolean } = {}): Promise<ChatSocket> {
  const contract = await socketContract(base);
  const socket: ChatSocket = io(base, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
  });
  // Every event and ack it receives is checked against the server's own asyncapi.json.
  if (contract) watchSocket(socket, contract);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export async function connectError(base: string, token: string | undefined): Promise<Error & { data?: { code: string; message: string } }> {
  try {
    const s = await connect(base, token);
    s.close();
  } catch (err) {
    return err as Error & { data?: { code: string; message: string } };
  }
  throw new Error('the connection was accepted');
}

export function join(socket: ChatSocket, payload: JoinPayload): Promise<Ack<JoinResult>> {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck('chat:join', payload);
}

export async function joinOk(socket: ChatSocket, payload: JoinPayload): Promise<JoinResult> {
  const ack = await join(socket, payload);
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
  return ack;
}

export function send(socket: ChatSocket, code: string, content: string, extra: { client_id?: string } = {}) {
  return socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', { code, content, ...extra });
}

/** Everything one socket received, with a way to wait for a condition without sleeping. */
export class Inbox {
  readonly messages: MessageView[] = [];
  readonly updates: { event: string; payload: unknown }[] = [];
  readonly presence: PresenceUpdate[] = [];
  readonly inbox: InboxUpdate[] = [];
  readonly conversations: ConversationCreated[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: ChatSocket) {
    socket.on('message:new', (m) => this.push(() => this.messages.push(m)));
    for (const event of ['message:updated', 'message:deleted', 'message:pinned', 'reaction:updated'] as const) {
      socket.on(event, (payload: unknown) => this.push(() => this.updates.push({ event, payload })));
    }
    socket.on('presence:updated', (p) => this.push(() => this.presence.push(p)));
    socket.on('inbox:updated', (u) => this.push(() => this.inbox.push(u)));
    socket.on('conversation:created', (c) => this.push(() => this.conversations.push(c)));
  }

  get seqs(): number[] {
    return this.messages.map((m) => m.seq);
  }

  /** Resolves once `done()` holds, checked after every event; rejects with `what` on timeout. */
  until(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; seqs so far: ${compact(this.seqs)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private push(record: () => void) {
    record();
    for (const w of [...this.waiters]) w();
  }
}

/** "1-40,42,45-50": a readable seq list for failure messages. */
export function compact(seqs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seqs.length;) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j] + 1) j++;
    parts.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

// Registration is rate-limited per address: one host account per server (and database) serves every chat.
const hosts = new Map<string, Promise<{ username: string; token: string }>>();
function hostOf(base: string): Promise<{ username: string; token: string }> {
  let host = hosts.get(base);
  if (!host) {
    const username = uniqueName('host');
    host = new ApiClient(base).post('/api/auth/register', { username, password: 'correct-horse-1' }).then((reg) => {
      if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
      return { username, token: reg.body.token as string };
    });
    hosts.set(base, host);
  }
  return host;
}

/** A chat with a registered host and `guests` anonymous participants; session tokens for all. */
export async function chatWithMembers(
  base: string,
  guests: number,
): Promise<{
  code: string;
  tokens: string[];
  usernames: string[];
  hostToken: string;
}> {
  const api = new ApiClient(base);
  const host = await hostOf(base);
  const chat = await api.withToken(host.token).post('/api/chats', { name: 'realtime' });
  if (chat.status !== 201) throw new Error(`create chat: ${chat.status} ${JSON.stringify(chat.body)}`);
  const code: string = chat.body.code;
  const hostJoin = await api.withToken(host.token).post(`/api/chats/${code}/join`, { username: host.username });
  const usernames = range(1, guests).map((i) => `g${i}_${uniqueName('')}`.slice(0, 32));
  const tokens = await Promise.all(
    usernames.map(async (username) => {
      const res = await api.post(`/api/chats/${code}/join`, { username });
      if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.session_token as string;
    }),
  );
  return { code, tokens, usernames, hostToken: hostJoin.body.session_token };
}

/** Several server processes over one PostgreSQL database and one Redis (or a given Redis setup). */
export interface Pods {
  pods: ServerProcess[];
  env: Record<string, string>;
  db: TestDatabase;
  redis?: RedisHandle;
  /** Starts pod `index` again, after it died, on its old port (so its clients reconnect to it); it replaces the old one in `pods`. */
  restart(index: number): Promise<ServerProcess>;
  stop(): Promise<void>;
}

export async function startPods(count: number, env: Record<string, string> = {}, redisEnv?: Record<string, string>): Promise<Pods> {
  const [db, redis] = await Promise.all([createTestDatabase(), redisEnv ? Promise.resolve(undefined) : startRedis()]);
  const shared = {
    DATABASE_URL: db.url,
    ...(redis ? { REDIS_URL: redis.url } : redisEnv),
    SESSION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'info', // the ready line is an info line
    // chatWithMembers joins every member from this one address.
    JOIN_RATE_LIMIT: '10000',
    ...env,
  };
  const pods: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(pods.map((p) => p.kill()));
    await redis?.stop();
    await db.drop();
  };
  try {
    // The first one applies the migrations; the others start on a ready schema.
    pods.push(await startServerProcess({ ...shared, HOSTNAME: 'pod-0' }));
    pods.push(
      ...(await Promise.all(
        range(1, count - 1).map((i) => startServerProcess({ ...shared, HOSTNAME: `pod-${i}`, MIGRATE_ON_START: 'false' })),
      )),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const restart = async (index: number) => {
    const pod = await startServerProcess({
      ...shared,
      HOSTNAME: `pod-${index}`,
      PORT: String(pods[index].port),
      MIGRATE_ON_START: 'false',
    });
    pods[index] = pod;
    return pod;
  };
  return { pods, env: shared, db, redis, restart, stop };
}

/** A suite's pods, started before its tests and stopped after them; sockets it opens close after each test. */
export interface PodsSuite {
  pods: Pods;
  bases: string[];
  open(base: string, token: string): Promise<ChatSocket>;
}

/** Registers the mocha hooks of a suite on `count` pods (see startPods); call inside `describe`. */
export function podsForSuite(count: number, env: Record<string, string> = {}): PodsSuite {
  const sockets: ChatSocket[] = [];
  const suite: PodsSuite = {
    pods: undefined as unknown as Pods,
    bases: [],
    open: async (base, token) => {
      const s = await connect(base, token);
      sockets.push(s);
      return s;
    },
  };
  before(async () => {
    suite.pods = await startPods(count, env);
    suite.bases = suite.pods.pods.map((p) => p.url);
  });
  after(async () => {
    await suite.pods?.stop();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  return suite;
}

export interface HistoryOptions {
  /** page backward from the newest with `before`, as a client scrolling up does @default false (forward with `after`) */
  backward?: boolean;
  /** messages per page, 1..200 @default 200 */
  limit?: number;
  /** read the back room with this (host or member) session token @default the main channel */
  backroomToken?: string;
  /** forward only: start after this seq @default 0 */
  after?: number;
}

/** Every message of a chat from REST, oldest first, however it was paged. */
export async function history(base: string, code: string, opts: HistoryOptions = {}): Promise<MessageView[]> {
  const api = new ApiClient(base, opts.backroomToken);
  const path = opts.backroomToken ? `/api/chats/${code}/backroom/messages` : `/api/chats/${code}/messages`;
  const limit = opts.limit ?? 200;
  const pages: MessageView[][] = [];
  for (let cursor = opts.backward ? '' : `&after=${opts.after ?? 0}`; ;) {
    const res = await api.get(`${path}?limit=${limit}${cursor}`);
    if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
    pages.push(opts.backward ? [...res.body.messages].reverse() : res.body.messages);
    if (!res.body.has_more) break;
    cursor = opts.backward ? `&before=${res.body.next_before}` : `&after=${res.body.next_after}`;
  }
  return (opts.backward ? pages.reverse() : pages).flat();
}

/**
 * A socket that sends one message after another (`depth` at a time) until stopped or cut off. A
 * lane stops at `unavailable` (the pod is draining), as a real client would go elsewhere.
 */
export class Sender {
  readonly acked: MessageView[] = [];
  readonly refused: string[] = [];
  /** sends whose ack never came: the connection went first */
  unanswered = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(
    readonly socket: ChatSocket,
    code: string,
    label: string,
    depth = 1,
  ) {
    const lane = async (n: number) => {
      for (let i = 0; !this.stopped && socket.connected; i++) {
        try {
          const ack = await send(socket, code, `${label} lane ${n} #${i}`);
          if (ack.ok) this.acked.push(ack.message);
          else {
            this.refused.push(ack.error.code);
            if (ack.error.code === 'unavailable') return;
          }
        } catch {
          this.unanswered++;
        }
      }
    };
    this.done = Promise.all(range(1, depth).map(lane)).then(() => undefined);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }
}

/** Anything that counts its acked sends (Sender, RetryingSender). */
type Acking = { readonly acked: readonly unknown[] };

/** Resolves once the senders together have `n` acked messages; rejects after `timeoutMs`. */
export function untilAcked(senders: Acking[], n: number, timeoutMs = 30_000): Promise<void> {
  return until(() => ackedCount(senders) >= n, `${n} acked sends`, timeoutMs);
}

export const ackedCount = (senders: Acking[]) => senders.reduce((sum, s) => sum + s.acked.length, 0);

/** Polls `done` (for state outside any socket, e.g. Redis) every 20 ms; rejects with `what` after `timeoutMs`. */
export async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
