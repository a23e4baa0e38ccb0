import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { TokenService } from '../auth';
import { connectQuietly, createRedisClient } from '../cache';
import type { ChatServices, ParticipantRenamed } from '../chat';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { UserServices } from '../users';
import { metrics } from '../monitoring';
import { createRealtimeAdapter, type RealtimeAdapter } from './adapter';
import { coalesceWebSocketWrites } from './coalesced-writes';
import { connectionAuth, holderOf } from './auth';
import { ChatAccess } from './chat-access';
import { DEFAULT_SEQUENCER_OPTIONS, type SequencerOptions } from './chat-sequencer';
import { eventListener } from './event-handlers';
import type { RealtimeServer, RealtimeSocket } from './server-events';
import { InFlight } from './in-flight';
import { MemoryInboxGate, RedisInboxGate, type InboxGate } from './inbox-gate';
import { InboxNotifier } from './inbox-notifier';
import { JoinFlow } from './join';
import { ConnectionLimits, DEFAULT_LIMITS, READ_CEILING, SessionSockets, type RealtimeLimits } from './limits';
import { OrderedDelivery } from './ordered-delivery';
import { PeerPods } from './peer-pods';
import { PreparedJsonEncoder } from './prepared-json-encoder';
import { DEFAULT_PRESENCE_OPTIONS, PresenceTracker, type PresenceOptions } from './presence';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from './presence-store';
import { roomOf, userRoom, userSessionsRoom } from './rooms';
import { sizeLimitedDecoder } from './size-limited-decoder';

/** socket.io's path (docs/contract.md). */
export const SOCKET_PATH = '/socket.io';
/** How long drain() waits for closed connections to be gone, ms. */
const CLOSE_WAIT_MS = 2000;

export interface RealtimeDeps {
  config: Config;
  chat: ChatServices;
  users: UserServices;
  tokens: TokenService;
  log: Logger;
}

export interface RealtimeOptions {
  limits?: Partial<RealtimeLimits>;
  sequencer?: Partial<SequencerOptions>;
  presence?: Partial<PresenceOptions>;
}

export interface RealtimeGateway {
  io: RealtimeServer;
  presence: PresenceTracker;
  delivery: OrderedDelivery;
  /** inbox:updated, gathered per chat for a second; its read of the newest message may refill the cache */
  inbox: InboxNotifier;
  adapterKind: RealtimeAdapter['kind'];
  /** Serves socket.io on the HTTP server. */
  attach(http: HttpServer): void;
  /**
   * Graceful stop, step one: refuses new connections and events (`unavailable`), waits up to
   * `timeoutMs` for the events in progress (so their acks go out), then closes every connection —
   * without a disconnect packet, so clients reconnect by themselves, to another pod.
   */
  drain(timeoutMs: number): Promise<void>;
  /**
   * Ends, on every pod, the connections of a user's tokens issued before `validAfterMs` (a logout):
   * user and session tokens alike. Resolves with how many ended.
   */
  endRevoked(userId: string, validAfterMs: number): Promise<number>;
  /** Step two: drains if not done, then releases the adapter, presence and Redis connections. */
  close(): Promise<void>;
}

/** Presence and the inbox gate, shared by the pods through one Redis connection (in the process without Redis). */
async function createSharedState(config: Config): Promise<{ store: PresenceStore; gate: InboxGate }> {
  if (config.redis.kind === 'none') return { store: new MemoryPresenceStore(), gate: new MemoryInboxGate() };
  const client = createRedisClient(config.redis, 'presence');
  client.on('error', () => undefined); // presence and the gate are best effort; the cache reports Redis health
  await connectQuietly(client);
  return { store: new RedisPresenceStore(client), gate: new RedisInboxGate(client) };
}

/** The socket.io gateway of docs/contract.md over the chat services; attach() it to the HTTP server. */
export async function createRealtimeGateway(deps: RealtimeDeps, options: RealtimeOptions = {}): Promise<RealtimeGateway> {
  const { config, chat, users, tokens, log } = deps;
  const maxChats = options.limits?.maxChats ?? config.socketMaxChats;
  const limits: RealtimeLimits = {
    ...DEFAULT_LIMITS,
    sendsPer10s: config.sendRateLimitPer10s,
    maxChats,
    joinsPerMinute: 2 * maxChats,
    unknownEventsPerMinute: config.unknownEventsPerMinute,
    socketsPerSession: config.socketsPerSession,
    ...options.limits,
  };
  // Connected side by side: with Redis down each waits its connect timeout, and a pod should start in one.
  const [adapter, { store, gate }] = await Promise.all([createRealtimeAdapter(config.redis), createSharedState(config)]);

  const io: RealtimeServer = new Server({
    path: SOCKET_PATH,
    maxHttpBufferSize: limits.maxPayloadBytes * READ_CEILING,
    serveClient: false,
    parser: { Encoder: PreparedJsonEncoder, Decoder: sizeLimitedDecoder(limits.maxPayloadBytes) },
    ...(adapter.adapter ? { adapter: adapter.adapter } : {}),
  });

  const presence = new PresenceTracker(
    store,
    config.podName,
    {
      local: (update) => io.local.to(roomOf(update.chat_code, 'main')).emit('presence:updated', update),
      others: (code) => {
        if (adapter.crossPod) io.serverSideEmit('presence:changed', code);
      },
    },
    log,
    { ...DEFAULT_PRESENCE_OPTIONS, ...options.presence },
  );
  io.on('presence:changed', (code) => presence.remoteChanged(code));
  // The renamed participant's sockets on this pod: their session and presence take the new name.
  const renamedHere = ({ chat_code, participant_id, username }: ParticipantRenamed) => {
    for (const s of io.of('/').sockets.values()) {
      const { claims } = s.data;
      if (claims?.typ === 'session' && claims.sub === participant_id) s.data.claims = { ...claims, username };
      const joined = s.data.chats?.[chat_code];
      if (joined?.sub !== participant_id) continue;
      s.data.chats[chat_code] = { ...joined, username };
      void presence.remove(chat_code, s.id).then(() => presence.add(chat_code, s.id, username));
    }
  };
  // The other pods first, then the chat's sockets on every pod (through the adapter).
  chat.events.on('participant:renamed', (rename) => {
    if (adapter.crossPod) io.serverSideEmit('participant:renamed', rename);
    io.to(roomOf(rename.chat_code, 'main')).emit('participant:renamed', rename);
    renamedHere(rename);
  });
  io.on('participant:renamed', (rename) => {
    chat.names.renamed(rename);
    renamedHere(rename);
  });
  // Before this pod serves any socket: the pods that had stopped announcing for want of listeners start again.
  const peers = new PeerPods(adapter.crossPod ? () => io.of('/').adapter.serverCount() : null);
  io.on('pod:hello', () => peers.heard());
  if (adapter.crossPod) io.serverSideEmit('pod:hello');
  peers.start();
  const delivery = new OrderedDelivery(io, chat, peers, log, { ...DEFAULT_SEQUENCER_OPTIONS, ...options.sequencer });
  const access = new ChatAccess(chat, tokens, limits.maxChats);
  const join = new JoinFlow(chat, delivery, presence, access);
  const connectionLimits = new ConnectionLimits(limits);

  let draining = false;
  const inFlight = new InFlight();
  const ctx = { chat, join, access, limits: connectionLimits, log, draining: () => draining, inFlight };

  // Through the adapter: a user's sockets may be on any pod.
  const inbox = new InboxNotifier(
    (code) => users.inbox.of(code),
    gate,
    (userId, update) => io.to(userRoom(userId)).emit('inbox:updated', update),
    log,
  );
  const detachInbox = inbox.attach(chat.events);
  users.conversations.onCreated(({ code, opener, partner }) => {
    io.to(userRoom(partner.id)).emit('conversation:created', { chat_code: code, with: opener.username });
    io.to(userRoom(opener.id)).emit('conversation:created', { chat_code: code, with: partner.username });
  });

  const sessions = new SessionSockets(limits.socketsPerSession);
  io.use(connectionAuth(tokens, () => draining, sessions));
  // Listeners shared by every connection (`this` is the socket), not closures made for each.
  const onEvent = eventListener(ctx);
  function onDisconnect(this: RealtimeSocket) {
    metrics.socketsConnected.dec();
    sessions.closed(holderOf(this.data.claims));
    connectionLimits.forget(this.id);
    delivery.leaveAll(this.id);
    void presence.removeAll(this.id);
  }
  io.on('connection', (socket) => {
    const { claims } = socket.data;
    if (claims.typ === 'user') void socket.join(userRoom(claims.sub));
    else if (claims.user_id) void socket.join(userSessionsRoom(claims.user_id));
    socket.onAny(onEvent);
    metrics.socketsConnected.inc();
    socket.on('disconnect', onDisconnect);
  });
  presence.start();

  let drained: Promise<void> | undefined;
  const drain = (timeoutMs: number) =>
    (drained ??= (async () => {
      draining = true;
      const deadline = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
      await Promise.race([inFlight.idle(), deadline]);
      const sockets = [...io.of('/').sockets.values()];
      const gone = sockets.map((s) => new Promise<void>((r) => (s.disconnected ? r() : s.once('disconnect', () => r()))));
      // conn.close() flushes what is buffered (the acks just written) before closing the transport.
      for (const s of sockets) s.conn.close();
      await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      log.info({ closed: sockets.length, delivery: delivery.stats }, 'realtime connections closed');
    })());

  let closed: Promise<void> | undefined;
  return {
    io,
    presence,
    delivery,
    inbox,
    adapterKind: adapter.kind,
    attach: (http) => {
      io.attach(http);
      coalesceWebSocketWrites(io);
    },
    drain,
    endRevoked: async (userId, validAfterMs) => {
      // The adapter asks every pod; a socket of a token issued after the logout stays.
      const rooms = [userRoom(userId), userSessionsRoom(userId)];
      const revoked = (await io.in(rooms).fetchSockets()).filter((s) => (s.data.claims.iat ?? 0) * 1000 < validAfterMs);
      for (const s of revoked) s.disconnect(true);
      // Another pod ends its sockets when the adapter's message reaches it: wait (briefly) until none
      // is left, so that logout answers after they are gone.
      const ids = new Set(revoked.map((s) => s.id));
      for (let tries = 0; ids.size && tries < 40; tries++) {
        const left = (await io.in(rooms).fetchSockets()).filter((s) => ids.has(s.id));
        if (!left.length) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      return revoked.length;
    },
    close: () =>
      (closed ??= (async () => {
        await drain(0);
        detachInbox();
        inbox.close();
        delivery.close();
        peers.close();
        await presence.close();
        // io.close() also closes the HTTP server, which the app has already closed: that error is expected.
        await io.close().catch(() => undefined);
        await Promise.all([adapter.close(), store.close()]);
      })()),
  };
}
