import type { SessionClaims } from '../auth';
import type { CacheEngine } from '../cache';
import { AppError } from '../errors';
import { ATTR, traced } from '../telemetry';
import type { CacheWriter } from './cache-writer';
import type { ChatEvents } from './events';
import { changeMessage } from './message-change-service';
import type { ChatRef, MessageStore } from './message-store';
import { toMessageView, type MessageView } from './message-view';

/**
 * Paid pins: a message stays pinned until a time; active pins are served from the pinned set. The
 * amount is recorded as given: no payment provider is integrated. One would verify a payment made
 * beforehand, never call out from the change below, which runs under the chat's row lock.
 */
export class PinService {
  constructor(
    private readonly store: MessageStore,
    private readonly engine: CacheEngine,
    private readonly writer: CacheWriter,
    private readonly events: ChatEvents,
  ) {}

  async pin(session: SessionClaims, code: string, id: string, amountCents: number, durationMinutes: number): Promise<MessageView> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const { view, chat, pinsCached } = await changeMessage(this.store, this.writer, code, id, 'pin', (m) => {
      if (m.deleted) throw AppError.conflict('a deleted message cannot be pinned');
      if (m.channel !== 'main') throw AppError.invalidInput('only main-channel messages can be pinned');
      const now = Date.now();
      const until = now + durationMinutes * 60_000;
      const running = m.pinnedUntil === null ? 0 : new Date(m.pinnedUntil).getTime();
      if (running > now) {
        // A running pin was paid for: it may only grow, and only by whoever paid or the host.
        if (m.pinnedBy !== session.sub && !session.host) throw AppError.forbidden('only the pinner or the host may change a running pin');
        if (until <= running) throw AppError.conflict(`the pin runs until ${new Date(running).toISOString()}; a pin may only be extended`);
        m.pinAmountCents = (m.pinAmountCents ?? 0) + amountCents;
      } else {
        m.pinAmountCents = amountCents;
        m.pinnedBy = session.sub;
      }
      m.pinnedUntil = new Date(until);
    });
    // No cached set to add the pin to: cache every active pin, this one included, from the database.
    // The pin is committed: a failed read leaves the set uncached, and reads then ask the database.
    if (pinsCached === false) await this.fromDb(chat, Date.now()).catch(() => undefined);
    this.events.emit('message:pinned', { chat_code: code, message: view });
    return view;
  }

  /** Active pins, soonest to expire first: the pinned set when cached, else the database (then cached). */
  async active(code: string): Promise<{ pins: string[]; source: 'cache' | 'db' }> {
    const now = Date.now();
    try {
      const cached = await traced('cache.read', { [ATTR.chatCode]: code, [ATTR.op]: 'pins' }, async (span) => {
        const pins = await this.engine.readPins(code, now);
        span.setAttribute(ATTR.cacheResult, pins ? 'hit' : 'miss');
        return pins;
      });
      if (cached) return { pins: cached.map((p) => p.json), source: 'cache' };
    } catch {
      /* the database answers */
    }
    return { pins: await this.fromDb(await this.store.chatRef(code), now), source: 'db' };
  }

  /** Active pins from the database, cached as the chat's pinned set when there are any. */
  private async fromDb(chat: ChatRef, now: number): Promise<string[]> {
    const rows = await this.store.activePins(chat, new Date(now));
    const pins = rows.map((m) => ({
      messageId: m.id,
      pinnedUntilMs: new Date(m.pinnedUntil!).getTime(),
      json: JSON.stringify(toMessageView(m, chat.code, now)),
    }));
    if (pins.length) await this.writer.pinSet(chat.code, pins, now);
    return pins.map((p) => p.json);
  }
}
