import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { apiDocsRoutes } from './api-docs';
import { AuthService, PasswordHasher, TokenService } from './auth';
import { cacheLimits, createCacheEngine, type CacheEngine } from './cache';
import { createChatServices, type ChatEventMap, type ChatServices } from './chat';
import { ConfigError, type Config } from './config';
import { isDistributed, migrateUp, openOrm, ReadReplicas, SchemaWatch, type Orm } from './db';
import { createHttpApp, monitoringRoutes, onlineRoutes, userRoutes, webRoutes } from './http';
import { createLogger, type Logger } from './logger';
import { Monitor, httpMetricsMiddleware, metrics, startAppMonitoring, type AppMonitoring } from './monitoring';
import { createRealtimeGateway, type RealtimeGateway } from './realtime';
import { createUserServices, userCacheTtls, type UserServices } from './users';
import { safeErrorText } from './db-error';

/** Optional parts of an app; tests and benchmarks leave them out. */
export interface CreateAppOptions {
  /**
   * The monitor our spans feed (server.ts hands over the one telemetry feeds).
   * @default a disabled monitor named after the pod; it still follows the shared switch
   */
  monitor?: Monitor;
}

/** Something to stop on shutdown, in reverse order of registration. */
export type Closer = () => Promise<void> | void;

export interface ChatPopApp {
  config: Config;
  log: Logger;
  orm: Orm;
  cache: CacheEngine;
  tokens: TokenService;
  auth: AuthService;
  chat: ChatServices;
  users: UserServices;
  koa: Koa;
  http: Server;
  /** socket.io gateway (attached to `http`) */
  realtime: RealtimeGateway;
  /** the monitor, the shared switch it follows, the cross-pod view and /metrics */
  monitoring: AppMonitoring;
  /** Starts listening; resolves with the URL. */
  listen(): Promise<string>;
  /** Graceful stop: no new connections, in-flight requests finish (up to the shutdown timeout), then everything closes. */
  close(): Promise<void>;
  onClose(closer: Closer): void;
}

/** Composes the database, cache, services, HTTP and realtime layers from the configuration. */
export async function createApp(
  config: Config,
  log: Logger = createLogger(config.logLevel),
  options: CreateAppOptions = {},
): Promise<ChatPopApp> {
  const orm = await openOrm(config.databaseUrl, log);
  if (config.migrateOnStart) {
    const applied = await migrateUp(orm);
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  const schema = new SchemaWatch(orm);
  // A database that cannot be asked now is asked again by /ready.
  if (!(await schema.isCurrent().catch(() => true)))
    log.warn('the database schema is behind this code: /ready answers 503 until `migrate up` has run');
  const cache = await createCacheEngine(config, log);
  const tokens = new TokenService(config.sessionSecret);
  const distributed = await isDistributed(orm);
  if (distributed) log.info('the database is distributed by chat (Citus): the group commit sends one statement per chat');
  const replicas = config.databaseReadUrls.length ? new ReadReplicas(config.databaseReadUrls) : null;
  if (replicas) replicas.onResult = (result) => metrics.replicaReads.inc({ result });
  const chat = createChatServices({
    orm,
    cache,
    limits: cacheLimits(config),
    tokens,
    log,
    sendRateLimitPer10s: config.sendRateLimitPer10s,
    distributed,
    replicas,
  });
  chat.repair.start();
  const users = createUserServices({ orm, cache, chat, ttls: userCacheTtls(config), log });
  tokens.revocations = users.revocations;
  const auth = new AuthService(orm, tokens, users.revocations, new PasswordHasher(config.passwordHashing));
  const monitor = options.monitor ?? new Monitor({ pod: config.podName, enabled: false });
  const monitoring = await startAppMonitoring({
    monitor,
    config,
    orm,
    cache,
    log,
    repairDepth: async () => (await chat.repair.stats()).waiting,
    onSent: (count) => {
      const counted = ({ channel, messages }: ChatEventMap['messages:new'][0]) => count(channel, messages.length);
      chat.events.on('messages:new', counted);
      return () => chat.events.off('messages:new', counted);
    },
  });

  const realtime = await createRealtimeGateway({ config, chat, users, tokens, log });
  chat.chats.presence = realtime.presence;
  // A logout also ends the connections its tokens opened (they would otherwise last until they drop).
  users.revocations.onRevoked(async (userId, validAfterMs) => {
    try {
      const ended = await realtime.endRevoked(userId, validAfterMs);
      log.info({ user: userId, ended }, 'logout ended connections');
    } catch (err) {
      // Another pod did not answer in time: its sockets of the user stay until they reconnect.
      log.warn({ user: userId, err: safeErrorText(err) }, 'logout could not end every connection');
    }
  });

  const monitoringRouter = monitoringRoutes({
    monitoring: monitoring.service,
    metrics: monitoring.metrics,
    adminToken: config.adminToken,
    log,
    actions: {
      // The repair `inspect --repair` runs: the windows and pins rebuilt exactly from the database.
      repairChat: async (code) => {
        await chat.rebuilder.rebuild(code, true);
        const windows = [];
        for (const channel of ['main', 'backroom'] as const) {
          const w = await cache.windowInfo(code, channel);
          windows.push({ channel, count: w.count, min_seq: w.minSeq, max_seq: w.maxSeq });
        }
        return { windows };
      },
      // What `inspect --clear` does: the chat's cache forgotten, the database keeps the history.
      clearChatCache: async (code) => {
        await chat.store.chatRef(code); // not_found for an unknown chat
        await cache.dropChat(code);
        return {};
      },
    },
  });
  const koa = createHttpApp({
    orm,
    schema,
    cache,
    chat,
    auth,
    tokens,
    log,
    adminToken: config.adminToken,
    proxyHops: config.proxyHops,
    joinLimits: config.joinLimits,
    extraRouters: [
      userRoutes(users, tokens),
      onlineRoutes(chat, tokens, realtime.presence),
      monitoringRouter,
      apiDocsRoutes(),
      webRoutes(),
    ],
    outerMiddleware: [httpMetricsMiddleware()],
  });
  const http = createServer(koa.callback());
  let inFlight = 0;
  let drained: (() => void) | undefined;
  http.on('request', (_req, res) => {
    inFlight++;
    res.on('close', () => {
      if (--inFlight === 0) drained?.();
    });
  });
  // After the counter: engine.io answers its own requests (long polls) and drains them itself.
  realtime.attach(http);

  const closers: Closer[] = [() => realtime.close()];
  let closing: Promise<void> | undefined;

  const app: ChatPopApp = {
    config,
    log,
    orm,
    cache,
    tokens,
    auth,
    chat,
    users,
    koa,
    http,
    realtime,
    monitoring,
    onClose: (c) => closers.push(c),
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, config.host)));
        http.listen(config.port, config.host, () => {
          const { port } = http.address() as AddressInfo;
          resolve(`http://${config.host}:${port}`);
        });
      }),
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((r) => http.close(() => r()));
        http.closeIdleConnections();
        // Sockets first: in-flight socket sends finish and ack, then clients reconnect to another pod.
        await realtime.drain(config.shutdownTimeoutMs);
        const wait = inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
        await Promise.race([wait, new Promise((r) => setTimeout(r, config.shutdownTimeoutMs).unref())]);
        for (const c of closers.reverse()) await Promise.resolve(c()).catch((err) => log.warn({ err }, 'close step failed'));
        http.closeAllConnections();
        await stopped;
        chat.repair.close();
        await users.close();
        await monitoring.close();
        await cache.close();
        await replicas?.close();
        await orm.close(true);
      })()),
  };
  return app;
}

/** Lookup failures of HOST: which setting to change, not only getaddrinfo's code. */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);

function listenError(err: NodeJS.ErrnoException, host: string): Error {
  if (err.code && UNRESOLVED.has(err.code))
    return new ConfigError('HOST', `${JSON.stringify(host)} does not resolve to an address to listen on (${err.code})`);
  if (err.code === 'EADDRNOTAVAIL')
    return new ConfigError('HOST', `${JSON.stringify(host)} is not an address of this machine (${err.code})`);
  return err;
}
