import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Thrown when the environment cannot be turned into a configuration; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** A whole number in decimal digits: 0x50 or 1e3 are refused, not read as 80 or 1000. */
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
/** A positive decimal number (3, 0.5) up to `max`. */
const decimal = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number')
    .transform(Number)
    .pipe(z.number().positive().max(max));

/** The URL, or null when it does not parse. */
const urlOf = (v: string): URL | null => (URL.canParse(v) ? new URL(v) : null);

const redisUrl = z
  .string()
  .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://')
  .refine((v) => urlOf(v) !== null, 'is not a valid URL')
  // Without a host ioredis quietly goes to localhost:6379; a database that is not a number, to NaN.
  .refine((v) => urlOf(v)?.hostname !== '', 'names no host (redis://host:6379)')
  .refine((v) => /^\/?(\d+)?$/.test(urlOf(v)?.pathname ?? ''), 'the database after the host must be a number (redis://host:6379/0)');

const databaseUrl = z
  .string()
  .refine((v) => /^(postgres(ql)?|sqlite):\/\//.test(v), 'must start with postgres:// or sqlite://')
  .refine((v) => !/^postgres/.test(v) || urlOf(v) !== null, 'is not a valid URL')
  .refine(
    (v) => !/^postgres/.test(v) || (urlOf(v)?.pathname.length ?? 2) > 1,
    'names no database (postgres://user:password@host:5432/chatpop)',
  )
  .refine((v) => !v.startsWith('sqlite://') || v.length > 'sqlite://'.length, 'names no file (sqlite://./data/chatpop.sqlite)');

/** Comma-separated postgres:// URLs of read replicas (streaming standbys of DATABASE_URL). */
const readUrls = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .refine(
    (urls) => urls.every((u) => /^postgres(ql)?:\/\//.test(u) && urlOf(u) !== null && (urlOf(u)?.pathname.length ?? 0) > 1),
    'each must be a postgres:// URL naming a database',
  );

const clusterNodes = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^:\s]+:\d{1,5}$/, 'each node must be host:port')
          .refine((n) => {
            const port = Number(n.split(':').pop());
            return port >= 1 && port <= 65535;
          }, 'each port must be 1-65535'),
      )
      .min(1, 'needs at least one host:port'),
  )
  .transform((nodes) => nodes.map((n) => ({ host: n.slice(0, n.lastIndexOf(':')), port: Number(n.slice(n.lastIndexOf(':') + 1)) })));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** @default 3000 */
  PORT: int(0, 65535).default(3000),
  /** @default 0.0.0.0 */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** @default sqlite://./data/chatpop.sqlite */
  DATABASE_URL: databaseUrl.default('sqlite://./data/chatpop.sqlite'),
  DATABASE_READ_URLS: readUrls.optional(),
  REDIS_URL: redisUrl.optional(),
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /** @default 500 */
  MESSAGE_CACHE_MAX_COUNT: int(1, 100_000).default(500),
  /** @default 24 */
  // At least a minute: a TTL that rounds to 0 s would switch the cache off without a word.
  MESSAGE_CACHE_TTL_HOURS: decimal(24 * 365)
    .refine((h) => h * 3600 >= 60, 'must be at least one minute (0.0167)')
    .default(24),
  /** @default 7 */
  PINNED_CACHE_TTL_DAYS: decimal(365)
    .refine((d) => d * 86_400 >= 60, 'must be at least one minute (0.0007)')
    .default(7),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ENABLE_MONITORING: bool.default(false),
  /** Cache TTLs of the user-data layer, seconds. */
  CACHE_USER_TTL: int(1, 86_400 * 30).default(1800),
  CACHE_CONVERSATION_TTL: int(1, 86_400 * 30).default(600),
  CACHE_DEFAULT_TTL: int(1, 86_400 * 30).default(3600),
  /** Sends per participant per 10 s (REST and socket alike). @default 50 */
  SEND_RATE_LIMIT: int(1, 100_000).default(50),
  /** Chats one socket may hold at once. @default 100 */
  SOCKET_MAX_CHATS: int(1, 10_000).default(100),
  /** Apply migrations at start; defaults to on outside production, always on for the embedded SQLite. */
  MIGRATE_ON_START: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Name of this pod in cross-pod views; Kubernetes sets HOSTNAME. */
  HOSTNAME: z.string().optional(),
  /**
   * Proxies in front of the server that append the client's address to X-Forwarded-For (an ingress:
   * 1). The client's address is the one the outermost of them saw; whatever the client wrote in the
   * header itself is ignored. 0: the header is ignored, the peer's address counts. 0 by default: with
   * nothing in front, a client would choose its own per-address bucket. @default 0
   */
  PROXY_HOPS: int(0, 10).default(0),
  /** Password hashes (argon2id, ~64 MiB each) computed at once; more wait in the queue. @default 2 */
  PASSWORD_HASH_CONCURRENCY: int(1, 64).default(2),
  /** Hashes waiting for a turn; beyond it register and login answer 503 with retry_after. @default 16 */
  PASSWORD_HASH_QUEUE: int(0, 10_000).default(16),
  /** Chat joins (POST …/join) per client address per minute. @default 30 */
  JOIN_RATE_LIMIT: int(1, 1_000_000).default(30),
  /** Anonymous joins of one chat per minute, from every address together. @default 300 */
  JOIN_RATE_LIMIT_PER_CHAT: int(1, 1_000_000).default(300),
  /** socket.io connections one session token (one participant) may hold on a pod. @default 10 */
  SOCKETS_PER_SESSION: int(1, 10_000).default(10),
  /** Events the server does not know, per connection per minute; beyond, rate_limited. @default 20 */
  UNKNOWN_EVENT_LIMIT: int(1, 1_000_000).default(20),
  /** Milliseconds the server waits for in-flight work on SIGTERM. @default 10000 */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
});

export type RedisTarget =
  { kind: 'none' } | { kind: 'single'; url: string } | { kind: 'cluster'; nodes: { host: string; port: number }[]; password?: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  /** read replicas for history pages the cache cannot serve; empty: none */
  databaseReadUrls: string[];
  redis: RedisTarget;
  messageCacheMaxCount: number;
  messageCacheTtlSeconds: number;
  pinnedCacheTtlSeconds: number;
  adminToken?: string;
  sessionSecret: string;
  enableMonitoring: boolean;
  userCacheTtlSeconds: number;
  conversationCacheTtlSeconds: number;
  defaultCacheTtlSeconds: number;
  sendRateLimitPer10s: number;
  /** chats one socket.io connection may hold at once */
  socketMaxChats: number;
  migrateOnStart: boolean;
  logLevel: string;
  podName: string;
  shutdownTimeoutMs: number;
  proxyHops: number;
  passwordHashing: { concurrency: number; queue: number };
  joinLimits: { perAddressPerMinute: number; perChatPerMinute: number };
  socketsPerSession: number;
  unknownEventsPerMinute: number;
}

/** What a configuration serves: a server signs tokens; a job signs none, so it needs no shared secret. */
export type ConfigUse = 'server' | 'job';

/** Reads the configuration from an environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, use: ConfigUse = 'server'): Config {
  // Empty strings mean "unset", as shells and Helm templates often produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  }
  // A shared Redis means pods behind one balancer: with a random secret each, one's tokens are invalid on the others.
  if (use === 'server' && !e.SESSION_SECRET && (e.REDIS_URL || e.REDIS_CLUSTER_NODES)) {
    throw new ConfigError(
      'SESSION_SECRET',
      'is required when REDIS_URL or REDIS_CLUSTER_NODES is set: every pod must sign tokens with the same secret',
    );
  }
  let redis: RedisTarget = { kind: 'none' };
  if (e.REDIS_CLUSTER_NODES) {
    const password = e.REDIS_URL ? decodeURIComponent(new URL(e.REDIS_URL).password) || undefined : undefined;
    redis = { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES, password };
  } else if (e.REDIS_URL) {
    redis = { kind: 'single', url: e.REDIS_URL };
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrls: e.DATABASE_URL.startsWith('postgres') ? (e.DATABASE_READ_URLS ?? []) : [],
    redis,
    messageCacheMaxCount: e.MESSAGE_CACHE_MAX_COUNT,
    messageCacheTtlSeconds: Math.round(e.MESSAGE_CACHE_TTL_HOURS * 3600),
    pinnedCacheTtlSeconds: Math.round(e.PINNED_CACHE_TTL_DAYS * 86_400),
    adminToken: e.ADMIN_TOKEN,
    // A random per-process secret keeps a lone development server safe; tokens then die with the process.
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    enableMonitoring: e.ENABLE_MONITORING,
    userCacheTtlSeconds: e.CACHE_USER_TTL,
    conversationCacheTtlSeconds: e.CACHE_CONVERSATION_TTL,
    defaultCacheTtlSeconds: e.CACHE_DEFAULT_TTL,
    sendRateLimitPer10s: e.SEND_RATE_LIMIT,
    socketMaxChats: e.SOCKET_MAX_CHATS,
    // The embedded SQLite file lives in the pod: no migrate hook ever reaches it.
    migrateOnStart: e.DATABASE_URL.startsWith('sqlite:') || (e.MIGRATE_ON_START ?? e.NODE_ENV !== 'production'),
    logLevel: e.LOG_LEVEL,
    podName: e.HOSTNAME ?? `pod-${process.pid}`,
    proxyHops: e.PROXY_HOPS,
    passwordHashing: { concurrency: e.PASSWORD_HASH_CONCURRENCY, queue: e.PASSWORD_HASH_QUEUE },
    joinLimits: { perAddressPerMinute: e.JOIN_RATE_LIMIT, perChatPerMinute: e.JOIN_RATE_LIMIT_PER_CHAT },
    socketsPerSession: e.SOCKETS_PER_SESSION,
    unknownEventsPerMinute: e.UNKNOWN_EVENT_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
