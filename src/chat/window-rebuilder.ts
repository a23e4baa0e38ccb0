import type { CacheEngine, CacheLimits } from '../cache';
import type { MessageStore } from './message-store';
import { toCached, toMessageView } from './message-view';

/**
 * The other cache writer beside CacheWriter: replaces a chat's windows and pinned set with what the
 * database holds. The repair queue, `inspect --compare/--repair` and maintenance call it; it does not
 * enqueue repairs itself (it is the repair), so its failures reach the caller.
 */
export class WindowRebuilder {
  constructor(
    private readonly store: MessageStore,
    private readonly engine: CacheEngine,
    private readonly limits: CacheLimits,
  ) {}

  /**
   * Rebuilds a chat's windows and pins from the database. `exact` replaces what is cached (operators'
   * repair); otherwise newer cached versions survive, which is safe beside concurrent sends.
   */
  async rebuild(code: string, exact = false): Promise<void> {
    const chat = await this.store.chatRef(code);
    await this.engine.dropMeta(code);
    for (const channel of ['main', 'backroom'] as const) {
      const { messages, lastSeq } = await this.store.newest(chat, channel, this.limits.maxCount);
      await this.engine.rebuild(
        code,
        channel,
        messages.map((m) => toCached(toMessageView(m, code))),
        lastSeq,
        exact,
      );
    }
    const now = new Date();
    const pins = await this.store.activePins(chat, now);
    await this.engine.rebuildPins(
      code,
      pins.map((m) => ({
        messageId: m.id,
        pinnedUntilMs: new Date(m.pinnedUntil!).getTime(),
        json: JSON.stringify(toMessageView(m, code)),
      })),
      now.getTime(),
    );
  }
}
