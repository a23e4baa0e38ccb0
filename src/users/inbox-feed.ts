import type { HistoryService, LastMessagePreview, MessageStore } from '../chat';
import { newestPreview } from './conversation-service';

/** A chat as its registered members' inboxes show it, each member with their own unread count. */
export interface ChatInbox {
  chat_code: string;
  last_seq: number;
  last_message: LastMessagePreview | null;
  members: { userId: string; unread: number }[];
}

/** What changed in a chat for the inboxes of its registered members (realtime/ sends it to them). */
export class InboxFeed {
  constructor(
    private readonly store: MessageStore,
    private readonly history: HistoryService,
  ) {}

  async of(code: string): Promise<ChatInbox> {
    const chat = await this.store.chat(code);
    const [members, last] = await Promise.all([
      this.store.repos.participants.unread({ chatId: chat.id }),
      chat.lastSeqMain > 0 ? newestPreview(this.history, code) : Promise.resolve(null),
    ]);
    return {
      chat_code: code,
      last_seq: chat.lastSeqMain,
      last_message: last,
      members: members.map((m) => ({ userId: m.userId!, unread: m.unread })),
    };
  }
}
