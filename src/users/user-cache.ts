import { randomUUID } from 'node:crypto';
import type { CacheEngine } from '../cache';
import type { Logger } from '../logger';
import { ATTR, traced } from '../telemetry';
import { genOf, groupMembers, type CacheEntry, type CacheGroup, type UserCacheTtls } from './cache-entries';
import { SingleFlight } from './single-flight';

/** A value as stored: `g` is the generation marker current when its database read began. */
interface Stored<T> {
  g?: string;
  v: T;
}

interface Loaded {
  value: unknown;
  /** the generation the value was read under; null when the cache could not be used */
  gen: string | null;
}

export interface UserCacheStats {
  hits: number;
  misses: number;
  /** database loads (after single-flight) */
  loads: number;
  /** cache operations that threw; each fell back to the database */
  errors: number;
  /** invalidations waiting for the engine to come back */
  pendingInvalidations: number;
}

/** How often failed invalidations are retried. @default 1000 */
export const RETRY_INVALIDATIONS_MS = 1000;

/**
 * Cache-aside for per-user values over CacheEngine.getUserValue/setUserValue/deleteUserValues.
 *
 * - Single-flight: concurrent misses of one key make one database read.
 * - Never stale after a write returns: writers delete the group's generation marker with the values;
 *   a value is served only when it carries the current marker, so a read that began before the write
 *   and stores its result afterwards is ignored.
 * - The engine is optional: any engine error falls back to the database. An invalidation that
 *   fails is kept and retried; until it lands this process bypasses the cache for that owner.
 */
export class UserCache {
  private readonly flights = new SingleFlight<Loaded>();
  /** owner|group → invalidations the engine refused */
  private readonly pending = new Map<string, { owner: string; group: CacheGroup }>();
  /** invalidations under way (e.g. after a message): reads wait for them, so this process never serves what they remove */
  private readonly barriers = new Set<Promise<void>>();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counters = { hits: 0, misses: 0, loads: 0, errors: 0 };

  constructor(
    private readonly engine: CacheEngine,
    private readonly ttls: UserCacheTtls,
    private readonly log: Logger,
  ) {}

  /** The cached value of `entry` for `owner`, or `load()`'s result (which is then cached). A rejected load is not cached. */
  async get<T>(owner: string, entry: CacheEntry, load: () => Promise<T>): Promise<T> {
    if (this.barriers.size) await Promise.all(this.barriers);
    if (entry.group && this.pending.has(pendingKey(owner, entry.group))) {
      this.counters.loads++;
      return load();
    }
    const { promise, joined } = this.flights.run(flightKey(owner, entry.what), () => this.readThrough(owner, entry, load));
    const result = await promise;
    if (joined && entry.group && result.gen !== null) {
      // The call we joined may have begun before a write on another pod; its marker tells.
      const current = await this.engineCall(() => this.engine.getUserValue(owner, genOf(entry.group!)));
      if (current !== undefined && current !== result.gen) return (await this.readThrough(owner, entry, load)).value as T;
    }
    return result.value as T;
  }

  /**
   * Forgets a group's values for an owner; resolves once no reader can see them any more. Never
   * throws: when the engine is down the invalidation is retried until it lands.
   */
  async invalidate(owner: string, group: CacheGroup): Promise<void> {
    const members = groupMembers(group);
    for (const what of members) this.flights.forget(flightKey(owner, what));
    const key = pendingKey(owner, group);
    try {
      await this.engine.deleteUserValues(owner, members);
      this.pending.delete(key);
    } catch (err) {
      this.counters.errors++;
      // One warning per outage, not one per user and write.
      if (this.pending.size === 0)
        this.log.warn({ err }, 'user cache invalidations failing; bypassing the cache for their users and retrying');
      this.pending.set(key, { owner, group });
      this.scheduleRetry();
    }
  }

  /** Makes reads wait for an invalidation that is still being worked out (see InboxInvalidator). */
  track(work: Promise<void>): void {
    const p = work.catch(() => undefined).finally(() => this.barriers.delete(p));
    this.barriers.add(p);
  }

  /** Resolves when every tracked invalidation has finished. */
  async settled(): Promise<void> {
    while (this.barriers.size) await Promise.all(this.barriers);
  }

  /** Retries the invalidations the engine refused; the timer calls this every RETRY_INVALIDATIONS_MS. */
  async retryInvalidations(): Promise<void> {
    for (const [key, { owner, group }] of [...this.pending]) {
      try {
        await this.engine.deleteUserValues(owner, groupMembers(group));
        this.pending.delete(key);
      } catch {
        break; // still down; try again later
      }
    }
    if (this.pending.size) this.scheduleRetry();
  }

  stats(): UserCacheStats {
    return { ...this.counters, pendingInvalidations: this.pending.size };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async readThrough(owner: string, entry: CacheEntry, load: () => Promise<unknown>): Promise<Loaded> {
    const op = { [ATTR.op]: `user.${entry.what}` };
    const genWhat = entry.group ? genOf(entry.group) : null;
    const { gen, raw, hit } = await traced('cache.read', op, async (span) => {
      const [gen, raw] = await Promise.all([
        genWhat ? this.engineCall(() => this.engine.getUserValue(owner, genWhat)) : Promise.resolve(null),
        this.engineCall(() => this.engine.getUserValue(owner, entry.what)),
      ]);
      const stored = gen !== undefined && raw ? parse(raw) : null;
      const hit = stored !== null && (genWhat === null || (gen !== null && stored.g === gen)) ? stored : null;
      span.setAttribute(ATTR.cacheResult, hit ? 'hit' : 'miss');
      return { gen, raw, hit };
    });
    if (hit) {
      this.counters.hits++;
      return { value: hit.v, gen: gen ?? null };
    }
    const usable = gen !== undefined && raw !== undefined;
    this.counters.misses++;
    // Without a marker, create one before reading the database: the value is then tagged with a
    // marker that any later write removes.
    let tag: string | null = usable ? gen : null;
    if (usable && genWhat && tag === null) {
      const fresh = randomUUID();
      const ok = await this.engineCall(() => this.engine.setUserValue(owner, genWhat, fresh, this.genTtl(entry)));
      tag = ok === undefined ? null : fresh;
    }
    this.counters.loads++;
    const value = await traced('db.read', op, () => load());
    if (usable && (genWhat === null || tag !== null)) {
      const stored: Stored<unknown> = genWhat ? { g: tag!, v: value } : { v: value };
      await this.engineCall(() => this.engine.setUserValue(owner, entry.what, JSON.stringify(stored), entry.ttl(this.ttls)));
    }
    return { value, gen: genWhat ? tag : null };
  }

  /** The engine call's result, or undefined when the engine failed (the caller falls back to the database). */
  private async engineCall<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const v = await fn();
      return v === undefined ? (null as T) : v;
    } catch {
      this.counters.errors++;
      return undefined;
    }
  }

  /** A marker outlives the values it guards, else they would be dropped early. */
  private genTtl(entry: CacheEntry): number {
    return Math.max(this.ttls.default, entry.ttl(this.ttls));
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryInvalidations();
    }, RETRY_INVALIDATIONS_MS);
    this.retryTimer.unref();
  }
}

function flightKey(owner: string, what: string): string {
  return `${owner}|${what}`;
}

function pendingKey(owner: string, group: CacheGroup): string {
  return `${owner}|${group}`;
}

function parse(raw: string): Stored<unknown> | null {
  try {
    const v = JSON.parse(raw) as Stored<unknown>;
    return v && typeof v === 'object' && 'v' in v ? v : null;
  } catch {
    return null;
  }
}
