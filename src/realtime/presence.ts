// Presence: who is online in a chat, across pods.
//
// Each pod writes one entry per joined connection into the shared PresenceStore (a Redis sorted
// set per chat scored by expiry) and refreshes its own entries every `heartbeatMs`; entries live
// `ttlMs`. A pod that stops cleanly removes its entries; one that is killed simply stops refreshing,
// and its users drop out within ttlMs + heartbeatMs. Every join or leave makes the pod recount the
// chat and ask the other pods to do the same ('presence:changed'); each pod then tells its own
// sockets (`presence:updated`) when the list it last showed them changed. The heartbeat recounts
// too, which is how expiries become visible.
import type { PresenceCounter } from '../chat';
import type { Logger } from '../logger';
import type { PresenceUpdate } from './events';
import type { PresenceEntry, PresenceStore } from './presence-store';

export interface PresenceOptions {
  /** How often a pod refreshes its entries and recounts its chats, ms. @default 10000 */
  heartbeatMs: number;
  /** How long an entry lives without a refresh, ms. @default 30000 */
  ttlMs: number;
  /** Joins and leaves of one chat within this window cause one recount, ms. @default 50 */
  debounceMs: number;
}

export const DEFAULT_PRESENCE_OPTIONS: PresenceOptions = { heartbeatMs: 10_000, ttlMs: 30_000, debounceMs: 50 };

/** Where presence news goes: this pod's sockets, and the other pods. */
export interface PresenceOutlet {
  local(update: PresenceUpdate): void;
  others(code: string): void;
}

interface Recount {
  timer?: NodeJS.Timeout;
  running: boolean;
  again: boolean;
}

export class PresenceTracker implements PresenceCounter {
  /** code → socket id → username: this pod's connections */
  private readonly local = new Map<string, Map<string, string>>();
  /** code → the list (JSON) this pod's sockets were last told */
  private readonly shown = new Map<string, string>();
  private readonly recounts = new Map<string, Recount>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: PresenceStore,
    private readonly podId: string,
    private readonly outlet: PresenceOutlet,
    private readonly log: Logger,
    private readonly opts: PresenceOptions = DEFAULT_PRESENCE_OPTIONS,
  ) {}

  start(): void {
    this.heartbeat ??= setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  async add(code: string, socketId: string, username: string): Promise<void> {
    let chat = this.local.get(code);
    if (!chat) this.local.set(code, (chat = new Map()));
    chat.set(socketId, username);
    await this.write(() => this.store.put([this.entry(code, socketId, username)], this.opts.ttlMs));
    // A newcomer has not seen the list yet: show it to the room even if it did not change.
    this.shown.delete(code);
    this.changed(code);
  }

  async remove(code: string, socketId: string): Promise<void> {
    const chat = this.local.get(code);
    const username = chat?.get(socketId);
    if (!chat || username === undefined) return;
    chat.delete(socketId);
    if (chat.size === 0) this.local.delete(code);
    await this.write(() => this.store.remove([this.entry(code, socketId, username)]));
    this.changed(code);
  }

  async removeAll(socketId: string): Promise<void> {
    const codes = [...this.local].filter(([, chat]) => chat.has(socketId)).map(([code]) => code);
    await Promise.all(codes.map((code) => this.remove(code, socketId)));
  }

  online(code: string): Promise<string[]> {
    return this.store.online(code);
  }

  async onlineCount(code: string): Promise<number> {
    return (await this.store.online(code)).length;
  }

  /** Another pod's connections to `code` changed. */
  remoteChanged(code: string): void {
    if (this.local.has(code)) this.schedule(code);
  }

  /** Stops the heartbeat and removes this pod's entries, so its users go offline now rather than at expiry. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const r of this.recounts.values()) clearTimeout(r.timer);
    this.recounts.clear();
    const entries = this.entries();
    this.local.clear();
    await this.write(() => this.store.remove(entries));
    for (const code of new Set(entries.map((e) => e.code))) this.outlet.others(code);
  }

  private entry(code: string, socketId: string, username: string): PresenceEntry {
    return { code, id: `${this.podId}/${socketId}`, username };
  }

  private entries(): PresenceEntry[] {
    const all: PresenceEntry[] = [];
    for (const [code, chat] of this.local) for (const [socketId, username] of chat) all.push(this.entry(code, socketId, username));
    return all;
  }

  private async beat(): Promise<void> {
    await this.write(() => this.store.put(this.entries(), this.opts.ttlMs));
    for (const code of this.local.keys()) this.schedule(code);
  }

  private changed(code: string): void {
    this.schedule(code);
    this.outlet.others(code);
  }

  private schedule(code: string): void {
    let r = this.recounts.get(code);
    if (!r) this.recounts.set(code, (r = { running: false, again: false }));
    if (r.running) {
      r.again = true;
      return;
    }
    if (r.timer) return;
    r.timer = setTimeout(() => void this.recount(code, r), this.opts.debounceMs);
    r.timer.unref();
  }

  /** One recount at a time per chat, so an older answer never overwrites a newer one. */
  private async recount(code: string, r: Recount): Promise<void> {
    r.timer = undefined;
    r.running = true;
    try {
      if (!this.local.has(code)) {
        this.shown.delete(code);
        return;
      }
      const online = await this.store.online(code);
      const json = JSON.stringify(online);
      if (this.shown.get(code) === json || !this.local.has(code)) return;
      this.shown.set(code, json);
      this.outlet.local({ chat_code: code, code, online });
    } catch (err) {
      this.log.debug({ err, code }, 'presence recount failed');
    } finally {
      r.running = false;
      if (r.again) {
        r.again = false;
        this.schedule(code);
      } else if (!r.timer) {
        this.recounts.delete(code);
      }
    }
  }

  /** Presence is best effort: a store that is down costs accuracy, never a join or a send. */
  private async write(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.debug({ err }, 'presence write failed');
    }
  }
}
