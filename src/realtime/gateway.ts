import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { Decoder } from 'socket.io-parser';
import type { TokenService } from '../auth';
import { connectQuietly, createRedisClient } from '../cache';
import type { ChatServices, ParticipantRenamed } from '../chat';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { metrics } from '../monitoring';
import { createRealtimeAdapter, type RealtimeAdapter } from './adapter';
import { coalesceWebSocketWrites } from './coalesced-writes';
import { sessionAuth } from './auth';
import { DEFAULT_SEQUENCER_OPTIONS, type SequencerOptions } from './chat-sequencer';
import { registerHandlers } from './event-handlers';
import type { RealtimeServer } from './events';
import { InFlight } from './in-flight';
import { JoinFlow } from './join';
import { ConnectionLimits, DEFAULT_LIMITS, SessionSockets, type RealtimeLimits } from './limits';
import { OrderedDelivery } from './ordered-delivery';
import { PreparedJsonEncoder } from './prepared-json-encoder';
import { DEFAULT_PRESENCE_OPTIONS, PresenceTracker, type PresenceOptions } from './presence';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from './presence-store';
import { roomOf } from './rooms';

/** socket.io's path (CONTRACT.md). */
export const SOCKET_PATH = '/socket.io';
/** How long drain() waits for closed connections to be gone, ms. */
const CLOSE_WAIT_MS = 2000;

export interface RealtimeDeps {
  config: Config;
  chat: ChatServices;
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
  adapterKind: RealtimeAdapter['kind'];
  /** Serves socket.io on the HTTP server. */
  attach(http: HttpServer): void;
  /**
   * Graceful stop, step one: refuses new connections and events (`unavailable`), waits up to
   * `timeoutMs` for the events in progress (so their acks go out), then closes every connection —
   * without a disconnect packet, so clients reconnect by themselves, to another pod.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Step two: drains if not done, then releases the adapter, presence and Redis connections. */
  close(): Promise<void>;
}

async function createPresenceStore(config: Config): Promise<PresenceStore> {
  if (config.redis.kind === 'none') return new MemoryPresenceStore();
  const client = createRedisClient(config.redis, 'presence');
  client.on('error', () => undefined); // presence is best effort; the cache reports Redis health
  await connectQuietly(client);
  return new RedisPresenceStore(client);
}

/** The socket.io gateway of CONTRACT.md over the chat services; attach() it to the HTTP server. */
export async function createRealtimeGateway(deps: RealtimeDeps, options: RealtimeOptions = {}): Promise<RealtimeGateway> {
  const { config, chat, tokens, log } = deps;
  const limits: RealtimeLimits = {
    ...DEFAULT_LIMITS,
    sendsPer10s: config.sendRateLimitPer10s,
    unknownEventsPerMinute: config.unknownEventsPerMinute,
    socketsPerSession: config.socketsPerSession,
    ...options.limits,
  };
  const adapter = await createRealtimeAdapter(config.redis);
  const store = await createPresenceStore(config);

  const io: RealtimeServer = new Server({
    path: SOCKET_PATH,
    maxHttpBufferSize: limits.maxPayloadBytes,
    serveClient: false,
    parser: { Encoder: PreparedJsonEncoder, Decoder },
    ...(adapter.adapter ? { adapter: adapter.adapter } : {}),
  });

  const presence = new PresenceTracker(
    store,
    config.podName,
    {
      local: (update) => io.local.to(roomOf(update.code, 'main')).emit('presence:updated', update),
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
      if (s.data.session?.sub !== participant_id) continue;
      s.data.session = { ...s.data.session, username };
      if (s.data.chats.includes(chat_code)) void presence.remove(chat_code, s.id).then(() => presence.add(chat_code, s.id, username));
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
  const delivery = new OrderedDelivery(io, chat, adapter.crossPod, log, { ...DEFAULT_SEQUENCER_OPTIONS, ...options.sequencer });
  const join = new JoinFlow(chat, delivery, presence);
  const connectionLimits = new ConnectionLimits(limits);

  let draining = false;
  const inFlight = new InFlight();
  const ctx = { chat, join, limits: connectionLimits, log, draining: () => draining, inFlight };

  io.use(sessionAuth(tokens, () => draining, new SessionSockets(limits.socketsPerSession)));
  io.on('connection', (socket) => {
    registerHandlers(ctx, socket);
    metrics.socketsConnected.inc();
    socket.on('disconnect', () => {
      metrics.socketsConnected.dec();
      delivery.leaveAll(socket.id);
      void presence.removeAll(socket.id);
    });
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
    adapterKind: adapter.kind,
    attach: (http) => {
      io.attach(http);
      coalesceWebSocketWrites(io);
    },
    drain,
    close: () =>
      (closed ??= (async () => {
        await drain(0);
        delivery.close();
        await presence.close();
        // io.close() also closes the HTTP server, which the app has already closed: that error is expected.
        await io.close().catch(() => undefined);
        await Promise.all([adapter.close(), store.close()]);
      })()),
  };
}
