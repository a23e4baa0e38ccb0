import { randomInt } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SessionClaims, TokenService, UserClaims } from '../auth/tokens';
import { Chat, Participant } from '../domain';
import { AppError } from '../errors';
import { assertBackroomMember } from './backroom-access';
import type { MessageStore } from './message-store';

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newChatCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export interface ParticipantView {
  id: string;
  chat_code: string;
  username: string;
  username_is_reserved: boolean;
  user_id: string | null;
  is_host: boolean;
  backroom_member: boolean;
}

export interface ChatView {
  code: string;
  name: string;
  kind: string;
  last_seq: number;
  version: number;
  online: number;
  created_at: string;
  last_message_at: string;
}

/** Who is online in a chat; realtime/ provides the real one. */
export interface PresenceCounter {
  onlineCount(code: string): Promise<number>;
}

export function toParticipantView(p: Participant, code: string): ParticipantView {
  return {
    id: p.id,
    chat_code: code,
    username: p.username,
    username_is_reserved: p.userId !== null,
    user_id: p.userId,
    is_host: p.isHost,
    backroom_member: p.isHost || p.backroomMember,
  };
}

/** Chats and their participants: create, describe, join, back-room membership. */
export class ChatService {
  presence: PresenceCounter = { onlineCount: async () => 0 };
  private readonly joinHooks: ((participant: ParticipantView) => Promise<void>)[] = [];

  /** Runs after every join, before it answers (e.g. to refresh the joining user's cached inbox). */
  onJoin(hook: (participant: ParticipantView) => Promise<void>): void {
    this.joinHooks.push(hook);
  }

  constructor(private readonly store: MessageStore, private readonly tokens: TokenService) {}

  async create(user: UserClaims, name: string): Promise<ChatView> {
    for (let attempt = 0; ; attempt++) {
      const chat = Object.assign(new Chat(), { code: newChatCode(), name, hostUserId: user.sub });
      try {
        await this.store.repos.chats.insert(chat);
        this.store.rememberChat(chat.code, chat.id, chat.kind);
        return this.toView(chat, 0);
      } catch (err) {
        // Two chats drew the same code: draw again (36^8 codes make this rare).
        if (!(err instanceof UniqueConstraintViolationException) || attempt >= 4) throw err;
      }
    }
  }

  async info(code: string): Promise<ChatView> {
    const chat = await this.store.chat(code);
    return this.toView(chat, await this.presence.onlineCount(code).catch(() => 0));
  }

  /**
   * Joins a chat under a username. A registered username needs its owner's user token; an
   * anonymous name already taken in the chat can be rejoined only with that participant's own
   * session token (anyone else would be impersonating it).
   */
  async join(
    code: string,
    username: string,
    user: UserClaims | null,
    session: SessionClaims | null = null,
  ): Promise<{ session_token: string; participant: ParticipantView }> {
    const chat = await this.store.chat(code);
    const key = username.toLowerCase();
    const { participants, chats, users } = this.store.repos;
    const ownerId = await users.idOf(key);
    if (ownerId && ownerId !== user?.sub) throw AppError.forbidden(`the username ${username} is reserved; log in as its owner to use it`);
    if (chat.kind === 'direct' && !(user && (chat.directKey ?? '').split(':').includes(user.sub))) {
      throw AppError.forbidden('this is a private conversation');
    }
    let participant = await participants.byUsername(chat.id, key);
    if (participant && participant.userId !== null && participant.userId !== user?.sub) {
      throw AppError.forbidden(`the username ${username} is taken in this chat`);
    }
    if (participant && participant.userId === null && session?.sub !== participant.id) {
      throw AppError.conflict(`the username ${username} is taken in this chat; send its session token to rejoin`);
    }
    if (!participant) {
      participant = Object.assign(new Participant(), {
        chatId: chat.id,
        username,
        usernameKey: key,
        userId: ownerId,
        isHost: user !== null && chat.hostUserId === user.sub,
      });
      try {
        const fresh = participant;
        await this.store.transaction(async (tx) => {
          participants.add(tx, fresh);
          await tx.flush();
          if (fresh.userId !== null) await chats.bumpMembersVersion(tx, chat.id);
        });
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        // A concurrent join took the name first; only its owner may have it.
        const winner = await participants.byUsername(chat.id, key);
        if (!winner) throw err;
        participant = winner;
        if (participant.userId === null || participant.userId !== user?.sub) throw AppError.conflict(`the username ${username} is taken in this chat`);
      }
    }
    const claims: SessionClaims = {
      typ: 'session',
      sub: participant.id,
      chat_id: chat.id,
      code,
      username: participant.username,
      user_id: participant.userId,
      host: participant.isHost,
    };
    const view = toParticipantView(participant, code);
    for (const hook of this.joinHooks) await hook(view);
    return { session_token: await this.tokens.sign(claims), participant: view };
  }

  /** The participant behind a session, fresh from the database (membership may have changed). */
  async participant(session: SessionClaims): Promise<Participant> {
    const p = await this.store.repos.participants.byId(session.chat_id, session.sub);
    if (!p) throw AppError.unauthorized('the session no longer exists');
    return p;
  }

  /** The host admits a participant to the back room. */
  async addBackroomMember(session: SessionClaims, code: string, username: string): Promise<ParticipantView> {
    if (session.code !== code || !session.host) throw AppError.forbidden('only the host manages the back room');
    const p = await this.store.repos.participants.admitToBackroom(session.chat_id, username.toLowerCase());
    if (!p) throw AppError.notFound(`participant ${username}`);
    return toParticipantView(p, code);
  }

  /**
   * Anyone may read a group chat; a private 1:1 conversation only with a session of its own.
   * `session` is asked for only then, so a public read never fails on a token it does not need.
   */
  async assertReadable(code: string, session: () => Promise<SessionClaims>): Promise<void> {
    if (!(await this.store.isDirect(code))) return;
    if ((await session()).code !== code) throw AppError.forbidden('this is a private conversation');
  }

  /** Back-room reads are for the host and back-room members only. */
  async assertBackroomAccess(session: SessionClaims, code: string): Promise<void> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    await assertBackroomMember(this.store, session);
  }

  private toView(chat: Chat, online: number): ChatView {
    return {
      code: chat.code,
      name: chat.name,
      kind: chat.kind,
      last_seq: chat.lastSeqMain,
      version: chat.version,
      online,
      created_at: new Date(chat.createdAt).toISOString(),
      last_message_at: new Date(chat.lastMessageAt).toISOString(),
    };
  }
}
