import type { Channel } from '../../domain';
import type { CacheEngine, CacheLimits, CachedMessage, PinEntry, WindowInfo, WindowRead, WindowState } from '../cache-engine';
import { keys } from '../keys';
import { pageRange, type PageRequest } from '../page-range';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

type Window = Map<number, CachedMessage>;

/** How often expired keys are dropped; reads drop them too, but an idle chat is never read. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The embedded engine: the Redis engine's behaviour on plain Maps, for a laptop with nothing
 * installed and a single process. Keys are the same strings as in Redis, so the operator tools
 * can list them alike.
 */
export class MemoryEngine implements CacheEngine {
  readonly kind = 'memory' as const;
  private readonly store = new Map<string, Expiring<unknown>>();
  private readonly repairs = new Set<string>();

  private readonly sweeper: NodeJS.Timeout;

  /** `sweepEveryMs`: how often expired keys are dropped. @default 60000 */
  constructor(
    private readonly limits: CacheLimits,
    private readonly now: () => number = Date.now,
    sweepEveryMs = SWEEP_EVERY_MS,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs).unref();
  }

  /** Keys held, expired or not (what the process's memory holds). */
  get size(): number {
    return this.store.size;
  }

  private sweep() {
    const now = this.now();
    for (const [key, entry] of this.store) if (entry.expiresAt <= now) this.store.delete(key);
  }

  private get<T>(key: string): T | undefined {
    const entry = this.store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.store.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  private set(key: string, value: unknown, ttlSeconds: number) {
    this.store.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  /** Keys alive now, for the operator tools. */
  liveKeys(): string[] {
    return [...this.store.keys()].filter((k) => this.get(k) !== undefined);
  }

  /** Seconds left on a key, -2 when absent (as Redis TTL answers). */
  ttl(key: string): number {
    const entry = this.store.get(key);
    if (!entry || this.get(key) === undefined) return -2;
    return Math.ceil((entry.expiresAt - this.now()) / 1000);
  }

  /** The raw value of a key (window Map, meta object, pins, reactions), for the operator tools. */
  peek(key: string): unknown {
    return this.get(key);
  }

  delete(key: string): boolean {
    return this.store.delete(key);
  }

  async append(code: string, channel: Channel, messages: CachedMessage[]): Promise<void> {
    if (messages.length) this.upsert('append', code, channel, messages, 0);
  }

  async update(code: string, channel: Channel, message: CachedMessage): Promise<void> {
    this.upsert('update', code, channel, [message], 0);
  }

  async rebuild(code: string, channel: Channel, messages: CachedMessage[], lastSeq: number, exact: boolean): Promise<void> {
    this.upsert(exact ? 'rebuild' : 'append', code, channel, messages, lastSeq);
  }

  /** Same steps as lua/upsert-2.lua. */
  private upsert(mode: 'append' | 'update' | 'rebuild', code: string, channel: Channel, messages: CachedMessage[], floor: number) {
    const wKey = keys.window(code, channel);
    const mKey = keys.meta(code);
    const { maxCount, ttlSeconds } = this.limits;
    let window = mode === 'rebuild' ? undefined : this.get<Window>(wKey);
    if (!window) window = new Map();
    const meta = this.get<Record<string, number>>(mKey) ?? {};
    let last = meta[channel] ?? (window.size ? Math.max(...window.keys()) : 0);
    last = Math.max(last, floor);
    let changed = false;
    for (const m of messages) {
      const old = window.get(m.seq);
      const write = old ? m.version >= old.version : mode !== 'update';
      if (write) {
        window.set(m.seq, m);
        changed = true;
      }
      if (mode !== 'update' && m.seq > last) last = m.seq;
    }
    if (mode !== 'update') this.set(mKey, { ...meta, [channel]: last }, ttlSeconds);
    if (changed || mode !== 'update') {
      if (window.size > maxCount) {
        const drop = [...window.keys()].sort((a, b) => a - b).slice(0, window.size - maxCount);
        for (const seq of drop) window.delete(seq);
      }
      if (window.size) this.set(wKey, window, ttlSeconds);
      else this.store.delete(wKey);
    }
  }

  async readPage(code: string, channel: Channel, req: PageRequest): Promise<WindowRead> {
    const meta = this.get<Record<string, number>>(keys.meta(code));
    const lastSeq = meta?.[channel];
    if (lastSeq === undefined) return { lastSeq: null, lo: 0, hi: -1, entries: [], count: 0 };
    const { lo, hi } = pageRange(lastSeq, req);
    const window = this.get<Window>(keys.window(code, channel));
    const entries: WindowRead['entries'] = [];
    if (window && lo <= hi) {
      for (let seq = lo; seq <= hi; seq++) {
        const m = window.get(seq);
        if (m) entries.push({ seq, json: m.json });
      }
    }
    return { lastSeq, lo, hi, entries, count: window?.size ?? 0 };
  }

  async windowState(code: string, channel: Channel): Promise<WindowState | null> {
    const lastSeq = this.get<Record<string, number>>(keys.meta(code))?.[channel];
    return lastSeq === undefined ? null : { lastSeq, count: this.get<Window>(keys.window(code, channel))?.size ?? 0 };
  }

  async dropMeta(code: string): Promise<void> {
    this.store.delete(keys.meta(code));
  }

  async dropChat(code: string): Promise<void> {
    const prefix = `chat:{${code}}:`;
    for (const key of [...this.store.keys()]) if (key.startsWith(prefix)) this.store.delete(key);
  }

  async windowInfo(code: string, channel: Channel): Promise<WindowInfo> {
    const key = keys.window(code, channel);
    const window = this.get<Window>(key);
    const seqs = window ? [...window.keys()] : [];
    return {
      count: seqs.length,
      ttlSeconds: this.ttl(key),
      minSeq: seqs.length ? Math.min(...seqs) : null,
      maxSeq: seqs.length ? Math.max(...seqs) : null,
    };
  }

  async readPins(code: string, nowMs: number): Promise<PinEntry[] | null> {
    const pins = this.get<PinEntry[]>(keys.pinned(code));
    if (!pins) return null;
    return pins.filter((p) => p.pinnedUntilMs > nowMs).sort((a, b) => a.pinnedUntilMs - b.pinnedUntilMs);
  }

  async writePin(code: string, pin: PinEntry, nowMs: number): Promise<boolean> {
    const current = this.get<PinEntry[]>(keys.pinned(code));
    if (!current) return false;
    this.storePins(code, [...current.filter((p) => p.messageId !== pin.messageId), pin], nowMs);
    return true;
  }

  async rebuildPins(code: string, pins: PinEntry[], nowMs: number): Promise<void> {
    this.storePins(code, pins, nowMs);
  }

  private storePins(code: string, pins: PinEntry[], nowMs: number) {
    const active = pins.filter((p) => p.pinnedUntilMs > nowMs);
    if (active.length) this.set(keys.pinned(code), active, this.limits.pinnedTtlSeconds);
    else this.store.delete(keys.pinned(code));
  }

  async readReactions(code: string, messageId: string): Promise<Record<string, number> | null> {
    const counts = this.get<Record<string, number>>(keys.reactions(code, messageId));
    return counts ? { ...counts } : null;
  }

  async writeReactions(code: string, messageId: string, counts: Record<string, number>): Promise<void> {
    const kept = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    const key = keys.reactions(code, messageId);
    if (Object.keys(kept).length) this.set(key, kept, this.limits.ttlSeconds);
    else this.store.delete(key);
  }

  async pushRepair(codes: string[]): Promise<void> {
    for (const c of codes) this.repairs.add(c);
  }

  async popRepair(max: number): Promise<string[]> {
    const out = [...this.repairs].slice(0, max);
    for (const c of out) this.repairs.delete(c);
    return out;
  }

  async repairDepth(): Promise<number> {
    return this.repairs.size;
  }

  async getUserValue(userId: string, what: string): Promise<string | null> {
    return this.get<string>(keys.user(userId, what)) ?? null;
  }

  async setUserValue(userId: string, what: string, value: string, ttlSeconds: number): Promise<void> {
    this.set(keys.user(userId, what), value, ttlSeconds);
  }

  async deleteUserValues(userId: string, what?: string[]): Promise<void> {
    if (what) {
      for (const w of what) this.store.delete(keys.user(userId, w));
      return;
    }
    const prefix = `user:{${userId}}:`;
    for (const key of [...this.store.keys()]) if (key.startsWith(prefix)) this.store.delete(key);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.store.clear();
  }
}
