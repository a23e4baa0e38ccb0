import type { Channel } from '../domain';
import type { PageRequest } from './page-range';

/** A message as the cache holds it: its seq and version beside the prepared JSON. */
export interface CachedMessage {
  seq: number;
  version: number;
  /** The message's public JSON, serialized once and served as is. */
  json: string;
}

/** What the window holds of a page's range; `lastSeq` null means the cache knows nothing of the chat. */
export interface WindowRead {
  lastSeq: number | null;
  lo: number;
  hi: number;
  /** members inside [lo, hi], ascending by seq */
  entries: { seq: number; json: string }[];
  /** members in the whole window */
  count: number;
}

/** A window's last seq and size: equal twice, no message was added, lost or trimmed in between. */
export interface WindowState {
  lastSeq: number;
  count: number;
}

export interface WindowInfo {
  count: number;
  ttlSeconds: number;
  minSeq: number | null;
  maxSeq: number | null;
}

export interface PinEntry {
  messageId: string;
  pinnedUntilMs: number;
  json: string;
}

/** Options every engine shares. */
export interface CacheLimits {
  /** messages kept per window @default 500 */
  maxCount: number;
  /** window and reaction TTL, seconds @default 86400 */
  ttlSeconds: number;
  /** pinned set TTL, seconds @default 604800 */
  pinnedTtlSeconds: number;
}

/**
 * The cache behind the services. Two engines implement it (Redis and in-memory) and one contract
 * suite (test/cache) runs against both. Every method may throw when the engine is unreachable;
 * callers treat the cache as optional and the database as the truth.
 */
export interface CacheEngine {
  readonly kind: 'redis' | 'memory';

  /**
   * Adds messages to a window (or replaces an older version of the same seq), raises the meta
   * last seq, trims to maxCount and refreshes the TTL — in one round trip.
   */
  append(code: string, channel: Channel, messages: CachedMessage[]): Promise<void>;

  /** Replaces a message only where the window already holds its seq with an older or equal version. */
  update(code: string, channel: Channel, message: CachedMessage): Promise<void>;

  /**
   * Writes a window from the database. `exact` replaces the window; otherwise entries are merged
   * (newer versions win), which is safe against concurrent appends.
   */
  rebuild(code: string, channel: Channel, messages: CachedMessage[], lastSeq: number, exact: boolean): Promise<void>;

  /** Reads the members of a page's range together with the meta last seq, in one round trip. */
  readPage(code: string, channel: Channel, req: PageRequest): Promise<WindowRead>;

  /** The window's state (one small round trip), or null when the cache knows nothing of the chat. */
  windowState(code: string, channel: Channel): Promise<WindowState | null>;

  /** Makes a chat's windows unusable (drops their meta) until the next rebuild or append. */
  dropMeta(code: string): Promise<void>;

  /** Forgets everything cached for a chat. */
  dropChat(code: string): Promise<void>;

  windowInfo(code: string, channel: Channel): Promise<WindowInfo>;

  /** Active pins (pinned_until > now), or null when the pinned set is not cached. */
  readPins(code: string, nowMs: number): Promise<PinEntry[] | null>;
  /**
   * Sets or replaces a message's pin in a cached pinned set (an expired one only leaves it) and drops
   * expired pins. false, writing nothing, when the set is not cached: it would then hold this pin
   * alone, and hide the others. `rebuildPins` from the database caches it.
   */
  writePin(code: string, pin: PinEntry, nowMs: number): Promise<boolean>;
  /** Replaces the whole pinned set from the database. */
  rebuildPins(code: string, pins: PinEntry[], nowMs: number): Promise<void>;

  readReactions(code: string, messageId: string): Promise<Record<string, number> | null>;
  writeReactions(code: string, messageId: string, counts: Record<string, number>): Promise<void>;

  /** Shared repair queue (so every pod and the CLI see one depth). */
  pushRepair(codes: string[]): Promise<void>;
  popRepair(max: number): Promise<string[]>;
  repairDepth(): Promise<number>;

  /** Per-user cached JSON values with their own TTLs. */
  getUserValue(userId: string, what: string): Promise<string | null>;
  setUserValue(userId: string, what: string, value: string, ttlSeconds: number): Promise<void>;
  deleteUserValues(userId: string, what?: string[]): Promise<void>;

  /** True when the engine answers now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
