import { Emitter } from './emitter';
import type { Api } from './rest';
import type { Conversation, InboxUpdate } from './types';

/**
 * A registered user's chats with their unread counts (GET /api/me/conversations), kept current by
 * `inbox:updated` and `conversation:created`, and read again after every reconnect (news sent while
 * away is not replayed).
 */
export class Inbox extends Emitter<{ change: [readonly Conversation[]] }> {
  private list: Conversation[] = [];
  private loading: Promise<void> | null = null;

  constructor(
    private readonly api: Api,
    private readonly userToken: () => string | undefined,
  ) {
    super();
  }

  /** Most recent first. */
  get conversations(): readonly Conversation[] {
    return this.list;
  }

  get totalUnread(): number {
    return this.list.reduce((sum, c) => sum + c.unread, 0);
  }

  /** Reads the list again (after a reconnect, or a chat the list did not have). */
  reload(): Promise<void> {
    const token = this.userToken();
    if (!token) return Promise.resolve();
    this.loading ??= this.api
      .conversations(token)
      .then((r) => {
        this.list = r.conversations;
        this.emit('change', this.list);
      })
      .catch(() => undefined) // the next reconnect or update reads it again
      .finally(() => (this.loading = null));
    return this.loading;
  }

  onUpdate(u: InboxUpdate): void {
    const i = this.list.findIndex((c) => c.code === u.chat_code);
    if (i < 0) return void this.reload();
    const c: Conversation = { ...this.list[i], unread: u.unread, last_seq: u.last_seq, last_message: u.last_message };
    if (u.last_message) c.last_message_at = u.last_message.created_at;
    this.list = [c, ...this.list.filter((_, j) => j !== i)];
    this.emit('change', this.list);
  }

  /** A read marker moved on this client: the count drops now, not at the next update. */
  setUnread(code: string, unread: number): void {
    const i = this.list.findIndex((c) => c.code === code);
    if (i < 0 || this.list[i].unread === unread) return;
    this.list = this.list.map((c, j) => (j === i ? { ...c, unread } : c));
    this.emit('change', this.list);
  }
}
