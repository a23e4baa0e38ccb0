import type { CacheEngine, CachedMessage, PinEntry } from '../cache';
import type { Channel } from '../domain';
import { ATTR, traced } from '../telemetry';
import type { RepairQueue } from './repair-queue';

/**
 * Every cache write of the services. A write that fails never fails the caller: the chat goes on
 * the repair queue instead, which rebuilds it from the database once the cache answers.
 */
export class CacheWriter {
  constructor(
    private readonly engine: CacheEngine,
    private readonly repair: RepairQueue,
  ) {}

  append(code: string, channel: Channel, messages: CachedMessage[]): Promise<void> {
    return this.write(code, messages.length, 'append', () => this.engine.append(code, channel, messages));
  }

  update(code: string, channel: Channel, message: CachedMessage): Promise<void> {
    return this.write(code, 1, 'update', () => this.engine.update(code, channel, message));
  }

  /** true when the pinned set is cached and now holds the change; false when it is not cached (or failed). */
  async pin(code: string, pin: PinEntry): Promise<boolean> {
    let cached = false;
    await this.write(code, 1, 'pin', async () => {
      cached = await this.engine.writePin(code, pin, Date.now());
    });
    return cached;
  }

  /** Caches a chat's whole pinned set (read from the database). */
  pinSet(code: string, pins: PinEntry[], nowMs: number): Promise<void> {
    return this.write(code, pins.length, 'pins', () => this.engine.rebuildPins(code, pins, nowMs));
  }

  reactions(code: string, messageId: string, counts: Record<string, number>): Promise<void> {
    return this.write(code, 1, 'reactions', () => this.engine.writeReactions(code, messageId, counts));
  }

  private async write(code: string, count: number, op: string, fn: () => Promise<void>): Promise<void> {
    try {
      await traced('cache.write', { [ATTR.chatCode]: code, [ATTR.cacheCount]: count, [ATTR.op]: op }, fn);
    } catch {
      this.repair.enqueue(code);
    }
  }
}
