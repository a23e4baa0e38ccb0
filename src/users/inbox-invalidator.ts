import type { ChatEvents, ChatService, MessageStore } from '../chat';
import type { Logger } from '../logger';
import type { UserCache } from './user-cache';

/** Attempts to find a changed chat's members before giving up (each 2× later than the last). @default 5 */
export const MEMBER_LOOKUP_ATTEMPTS = 5;

/** Chats whose registered members a pod keeps; past this the list starts over. */
const MAX_CACHED_CHATS = 50_000;

/**
 * Keeps conversation lists and unread counts right when chats change: after a message is sent,
 * edited or deleted, the inbox of every participant with a user id is invalidated.
 *
 * Chat events carry the chat code, not its members, so members come from the participants table,
 * looked up after the events (so a member who joined before a message is always found); events of
 * one tick share one query. A send batch also carries the chat's members version, read under the
 * chat row lock that every join of a registered user bumps: while it matches the version a list
 * was read at, the list is whole and no query is needed (see Chat.membersVersion).
 *
 * While a batch runs, UserCache reads in this process wait for it, so a read that follows a send
 * here never sees the old value. Another pod may serve the old value until the batch lands
 * (one cache round trip after the commit, plus one query when the members changed).
 */
export class InboxInvalidator {
  /** chat code → the members version of the send that queued it (null: look the members up) */
  private readonly queued = new Map<string, number | null>();
  /** chat code → its registered members' user ids as of a members version */
  private readonly members = new Map<string, { version: number; userIds: string[] }>();
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly store: MessageStore,
    private readonly cache: UserCache,
    private readonly log: Logger,
  ) {}

  /** Subscribes to the chat events that change conversation lists and unread counts; returns the unsubscribe. */
  attach(events: ChatEvents): () => void {
    return events.onInboxChange(({ chat_code, members_version }) => this.chatChanged(chat_code, members_version));
  }

  /** A user who joins a chat gets a new entry in their conversation list. */
  observeJoins(chats: ChatService): void {
    chats.onJoin(async (participant) => {
      if (participant.user_id) await this.cache.invalidate(participant.user_id, 'inbox');
    });
  }

  /** Queues a chat whose members' inboxes changed; synchronous so reads queue behind it at once. */
  chatChanged(code: string, membersVersion: number | null = null): void {
    // A change without a version asks for a lookup, whatever else this tick queued; else the newest version counts.
    const prev = this.queued.get(code);
    this.queued.set(code, prev === null || membersVersion === null ? null : Math.max(prev ?? membersVersion, membersVersion));
    if (this.scheduled) return;
    this.scheduled = true;
    const batch = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.scheduled = false;
      const chats = [...this.queued];
      this.queued.clear();
      return this.invalidateMembers(chats, 1);
    });
    this.cache.track(batch);
  }

  /** Stops retrying lookups (the process is shutting down); batches under way still finish. */
  close(): void {
    this.closed = true;
  }

  private async invalidateMembers(chats: [string, number | null][], attempt: number): Promise<void> {
    const userIds = new Set<string>();
    const lookup: [string, number | null][] = [];
    for (const [code, version] of chats) {
      const known = this.members.get(code);
      if (version !== null && known?.version === version) known.userIds.forEach((id) => userIds.add(id));
      else lookup.push([code, version]);
    }
    try {
      if (lookup.length) for (const id of await this.lookUp(lookup)) userIds.add(id);
    } catch (err) {
      if (attempt >= MEMBER_LOOKUP_ATTEMPTS || this.closed) {
        this.log.error({ err, codes: lookup.map(([c]) => c) }, 'could not find chat members to invalidate their inboxes');
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt).unref());
      return this.invalidateMembers(chats, attempt + 1);
    }
    await Promise.all([...userIds].map((id) => this.cache.invalidate(id, 'inbox')));
  }

  /** The registered members of these chats, remembered per chat where the version is known. */
  private async lookUp(chats: [string, number | null][]): Promise<string[]> {
    const refs = await Promise.all(chats.map(async ([code, version]) => ({ code, version, id: (await this.store.chatRef(code)).id })));
    const rows = await this.store.repos.participants.registeredMembers(refs.map((r) => r.id));
    if (this.members.size > MAX_CACHED_CHATS) this.members.clear();
    for (const { code, version, id } of refs) {
      // A batch announced late may carry an older version than one already looked up: keep the newer.
      if (version !== null && version >= (this.members.get(code)?.version ?? -1)) {
        this.members.set(code, { version, userIds: rows.filter((r) => r.chatId === id).map((r) => r.userId) });
      }
    }
    return rows.map((r) => r.userId);
  }
}
