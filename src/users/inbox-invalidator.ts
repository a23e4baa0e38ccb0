import type { ChatEvents, ChatService, MessageStore } from '../chat';
import { Participant } from '../domain';
import type { Logger } from '../logger';
import type { UserCache } from './user-cache';

/** Attempts to find a changed chat's members before giving up (each 2× later than the last). @default 5 */
export const MEMBER_LOOKUP_ATTEMPTS = 5;

/**
 * Keeps conversation lists and unread counts right when chats change: after a message is sent,
 * edited or deleted, the inbox of every participant with a user id is invalidated.
 *
 * Chat events carry the chat code, not its members, so members come from the participants table.
 * Events of one tick are batched into one query; the lookup starts after the events, so a member
 * who joined before a message is always found. Members are not cached: a join on another pod would
 * leave such a cache stale, and then a member's unread count with it.
 *
 * While a batch runs, UserCache reads in this process wait for it, so a read that follows a send
 * here never sees the old value. Another pod may serve the old value until the batch lands
 * (one indexed query and one cache round trip after the commit).
 */
export class InboxInvalidator {
  private readonly queued = new Set<string>();
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly store: MessageStore,
    private readonly cache: UserCache,
    private readonly log: Logger,
  ) {}

  /** Subscribes to the chat events that change conversation lists and unread counts; returns the unsubscribe. */
  attach(events: ChatEvents): () => void {
    const onChange = ({ chat_code }: { chat_code: string }) => this.chatChanged(chat_code);
    const names = ['messages:new', 'message:updated', 'message:deleted'] as const;
    for (const n of names) events.on(n, onChange);
    return () => {
      for (const n of names) events.off(n, onChange);
    };
  }

  /**
   * ChatService.join announces no event, so joins are observed by wrapping it: a user who joins a
   * chat gets a new entry in their conversation list.
   */
  observeJoins(chats: ChatService): void {
    chats.onJoin(async (participant) => {
      if (participant.user_id) await this.cache.invalidate(participant.user_id, 'inbox');
    });
  }

  /** Queues a chat whose members' inboxes changed; synchronous so reads queue behind it at once. */
  chatChanged(code: string): void {
    this.queued.add(code);
    if (this.scheduled) return;
    this.scheduled = true;
    const batch = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.scheduled = false;
      const codes = [...this.queued];
      this.queued.clear();
      return this.invalidateMembers(codes, 1);
    });
    this.cache.track(batch);
  }

  /** Stops retrying lookups (the process is shutting down); batches under way still finish. */
  close(): void {
    this.closed = true;
  }

  private async invalidateMembers(codes: string[], attempt: number): Promise<void> {
    let userIds: string[];
    try {
      const chatIds = await Promise.all(codes.map(async (c) => (await this.store.chatRef(c)).id));
      const rows = await this.store.em().find(Participant, { chatId: { $in: chatIds }, userId: { $ne: null } }, { fields: ['userId'] });
      userIds = [...new Set(rows.map((r) => r.userId!))];
    } catch (err) {
      if (attempt >= MEMBER_LOOKUP_ATTEMPTS || this.closed) {
        this.log.error({ err, codes }, 'could not find chat members to invalidate their inboxes');
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt).unref());
      return this.invalidateMembers(codes, attempt + 1);
    }
    await Promise.all(userIds.map((id) => this.cache.invalidate(id, 'inbox')));
  }
}
