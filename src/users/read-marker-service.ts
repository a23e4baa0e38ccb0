import type { SessionClaims } from '../auth';
import type { MessageStore } from '../chat';
import { AppError } from '../errors';
import { ENTRIES } from './cache-entries';
import type { UserCache } from './user-cache';

export interface ReadMarkerView {
  chat_code: string;
  /** the participant's marker after the call (never lower than before) */
  last_read_seq: number;
  /** the chat's last main-channel seq */
  last_seq: number;
  unread: number;
}

/**
 * Read markers (main channel) and unread counts. A marker only moves up; a seq beyond the chat's
 * last seq is refused with invalid_input (no client can have seen it: seqs are broadcast after commit).
 */
export class ReadMarkerService {
  constructor(
    private readonly store: MessageStore,
    private readonly cache: UserCache,
  ) {}

  async markRead(session: SessionClaims, code: string, seq: number): Promise<ReadMarkerView> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const chat = await this.store.chatRef(code);
    const lastSeq = await this.store.lastSeq(chat, 'main');
    if (seq > lastSeq) throw AppError.invalidInput(`seq: ${seq} is beyond the chat's last seq ${lastSeq}`);
    const { moved, state: p } = await this.store.repos.participants.raiseReadMarker(chat.id, session.sub, seq);
    if (!p) throw AppError.unauthorized('the session no longer exists');
    if (moved && p.userId) await this.cache.invalidate(p.userId, 'inbox');
    return { chat_code: code, last_read_seq: p.lastReadSeq, last_seq: lastSeq, unread: p.unread };
  }

  /** Total unread across the user's chats (memberships under their reserved name), their own messages not counted. */
  unreadCount(userId: string): Promise<number> {
    return this.cache.get(userId, ENTRIES.unread, async () => {
      const memberships = await this.store.repos.participants.unread({ userId });
      return memberships.reduce((sum, m) => sum + m.unread, 0);
    });
  }
}
