import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { UserClaims, UserView } from '../auth';
import { newChatCode, type HistoryService, type LastMessagePreview, type MessageStore, type MessageView } from '../chat';
import type { MembershipUnread } from '../db';
import { Chat, Participant, type ChatKind } from '../domain';
import { AppError } from '../errors';
import { ENTRIES } from './cache-entries';
import type { UserCache } from './user-cache';
import type { UserService } from './user-service';

/** A user as other users see them in a conversation. */
export interface PartnerView {
  id: string;
  username: string;
}

/** One entry of GET /api/me/conversations. */
export interface ConversationView {
  code: string;
  name: string;
  kind: ChatKind;
  /** the other user of a direct chat; null for group chats */
  partner: PartnerView | null;
  last_seq: number;
  last_read_seq: number;
  unread: number;
  last_message: LastMessagePreview | null;
  last_message_at: string;
}

export interface OpenedConversation {
  code: string;
  name: string;
  kind: 'direct';
  partner: PartnerView;
  /** false when the pair already had its conversation */
  created: boolean;
}

/** Conversations listed per user, most recent first. @default 200 */
export const MAX_CONVERSATIONS = 200;
/** Characters of content shown in a preview. @default 100 */
export const PREVIEW_CHARS = 100;
/** History reads in flight at once while building a list. */
const PREVIEW_CONCURRENCY = 16;

const partnerOf = (u: UserView): PartnerView => ({ id: u.id, username: u.username });

/** A conversation just created: `opener` asked for it with `partner`. */
export type ConversationCreatedHook = (created: { code: string; opener: PartnerView; partner: PartnerView }) => void;

/** 1:1 conversations (one chat per pair of users) and each user's conversation list. */
export class ConversationService {
  private readonly createdHooks: ConversationCreatedHook[] = [];

  /** Runs after a conversation is created, once per pair (e.g. to tell both users' sockets). */
  onCreated(hook: ConversationCreatedHook): void {
    this.createdHooks.push(hook);
  }

  constructor(
    private readonly store: MessageStore,
    private readonly history: HistoryService,
    private readonly users: UserService,
    private readonly cache: UserCache,
  ) {}

  /**
   * The one direct chat of the caller and `withUsername`, created on first use with both users as
   * participants under their reserved names. Concurrent calls create it once: the unique directKey
   * lets exactly one insert win; the others read the winner's chat.
   */
  async open(me: UserClaims, withUsername: string): Promise<OpenedConversation> {
    if (withUsername.toLowerCase() === me.username.toLowerCase())
      throw AppError.invalidInput('with: you cannot open a conversation with yourself');
    const partner = await this.users.byUsername(withUsername);
    if (partner.id === me.sub) throw AppError.invalidInput('with: you cannot open a conversation with yourself');
    const self = await this.users.byId(me.sub);
    const directKey = [self.id, partner.id].sort().join(':');

    for (let attempt = 0; ; attempt++) {
      const existing = await this.store.repos.chats.byDirectKey(directKey);
      if (existing) return { code: existing.code, name: existing.name, kind: 'direct', partner: partnerOf(partner), created: false };
      try {
        const chat = await this.create(directKey, self, partner);
        await Promise.all([this.cache.invalidate(self.id, 'inbox'), this.cache.invalidate(partner.id, 'inbox')]);
        for (const hook of this.createdHooks) hook({ code: chat.code, opener: partnerOf(self), partner: partnerOf(partner) });
        return { code: chat.code, name: chat.name, kind: 'direct', partner: partnerOf(partner), created: true };
      } catch (err) {
        // Lost the race for this pair (or drew a taken chat code): read again.
        if (!(err instanceof UniqueConstraintViolationException) || attempt >= 4) throw err;
      }
    }
  }

  /** The user's chats, most recent message first, each with its unread count and last message. */
  list(userId: string): Promise<ConversationView[]> {
    return this.cache.get(userId, ENTRIES.conversations, () => this.load(userId));
  }

  private async create(directKey: string, a: UserView, b: UserView): Promise<Chat> {
    const { chats, participants } = this.store.repos;
    return this.store.transaction(async (tx) => {
      const chat = Object.assign(new Chat(), {
        code: newChatCode(),
        name: `${a.username} & ${b.username}`.slice(0, 100),
        kind: 'direct' as const,
        directKey,
      });
      await chats.insert(chat, tx);
      for (const u of [a, b]) {
        participants.add(
          tx,
          Object.assign(new Participant(), { chatId: chat.id, username: u.username, usernameKey: u.username.toLowerCase(), userId: u.id }),
        );
      }
      await tx.flush();
      this.store.rememberChat(chat.code, chat.id, chat.kind);
      return chat;
    });
  }

  private async load(userId: string): Promise<ConversationView[]> {
    const memberships = new Map((await this.store.repos.participants.unread({ userId })).map((m) => [m.chatId, m]));
    if (!memberships.size) return [];
    const chats = await this.store.repos.chats.byIds([...memberships.keys()], MAX_CONVERSATIONS);
    const views: ConversationView[] = [];
    for (let i = 0; i < chats.length; i += PREVIEW_CONCURRENCY) {
      const slice = chats.slice(i, i + PREVIEW_CONCURRENCY);
      views.push(...(await Promise.all(slice.map((c) => this.view(c, userId, memberships.get(c.id)!)))));
    }
    return views;
  }

  private async view(chat: Chat, userId: string, membership: MembershipUnread): Promise<ConversationView> {
    const partnerId = chat.kind === 'direct' ? (chat.directKey ?? '').split(':').find((id) => id && id !== userId) : undefined;
    const [partner, last] = await Promise.all([
      partnerId ? this.users.byId(partnerId).then(partnerOf, () => null) : Promise.resolve(null),
      chat.lastSeqMain > 0 ? newestPreview(this.history, chat.code) : Promise.resolve(null),
    ]);
    return {
      code: chat.code,
      name: chat.name,
      kind: chat.kind,
      partner,
      last_seq: chat.lastSeqMain,
      last_read_seq: membership.lastReadSeq,
      unread: membership.unread,
      last_message: last,
      last_message_at: new Date(chat.lastMessageAt).toISOString(),
    };
  }
}

/** The newest main-channel message of a chat, shortened, through the history service (cache first). */
export async function newestPreview(history: HistoryService, code: string): Promise<LastMessagePreview | null> {
  const page = await history.page(code, 'main', { mode: 'newest', limit: 1 });
  if (!page.items.length) return null;
  const m = JSON.parse(page.items[0]) as MessageView;
  return {
    id: m.id,
    seq: m.seq,
    username: m.username,
    preview: m.deleted ? null : [...m.content].slice(0, PREVIEW_CHARS).join(''),
    deleted: m.deleted,
    created_at: m.created_at,
  };
}
