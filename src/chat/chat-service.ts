import { randomInt } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SessionClaims, TokenService, UserClaims } from '../auth';
import { Chat, isMixedScript, isReservedUsername, MAX_USERNAME_CHARS, Participant, skeleton, usernameKey, type ChatKind } from '../domain';
import { AppError } from '../errors';
import { assertBackroomMember } from './backroom-access';
import type { ChatEvents, ParticipantRenamed } from './events';
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
  kind: ChatKind;
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

/** What a participant's session token says. */
function sessionClaims(p: Participant, code: string): SessionClaims {
  return { typ: 'session', sub: p.id, chat_id: p.chatId, code, username: p.username, user_id: p.userId, host: p.isHost };
}

/** Chats and their participants: create, describe, join, back-room membership. */
export class ChatService {
  presence: PresenceCounter = { onlineCount: async () => 0 };
  private readonly joinHooks: ((participant: ParticipantView) => Promise<void>)[] = [];

  /** Runs after every join, before it answers (e.g. to refresh the joining user's cached inbox). */
  onJoin(hook: (participant: ParticipantView) => Promise<void>): void {
    this.joinHooks.push(hook);
  }

  constructor(
    private readonly store: MessageStore,
    private readonly tokens: TokenService,
    private readonly events: ChatEvents,
  ) {}

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
    const key = usernameKey(username);
    const { participants, chats, users } = this.store.repos;
    const ownerId = await users.idOf(key);
    if (ownerId && ownerId !== user?.sub) throw AppError.forbidden(`the username ${username} is reserved; log in as its owner to use it`);
    // An account registered under a staff word before they were reserved keeps its name.
    if (!ownerId && isReservedUsername(key)) throw AppError.forbidden(`the username ${username} is reserved for the service`);
    if (chat.kind === 'direct' && !(user && (chat.directKey ?? '').split(':').includes(user.sub))) {
      throw AppError.forbidden('this is a private conversation');
    }
    let participant = await participants.byUsername(chat.id, key);
    if (participant && participant.userId !== null && participant.userId !== user?.sub) {
      throw AppError.forbidden(`the username ${username} is taken in this chat`);
    }
    // Registration reserved the name: its owner takes it over from an anonymous holder, renamed.
    let renamed: ParticipantRenamed | null = null;
    if (participant && participant.userId === null && ownerId) {
      renamed = await this.renameAside(participant, code);
      participant = null;
    }
    if (participant && participant.userId === null && session?.sub !== participant.id) {
      throw AppError.conflict(`the username ${username} is taken in this chat; send its session token to rejoin`);
    }
    if (!participant) {
      if (username.includes('~')) throw AppError.invalidInput('username: a name ending in ~N is given only by a rename; choose another');
      if (isMixedScript(username)) await this.assertNoLookalike(chat.id, username, key);
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
        if (participant.userId === null || participant.userId !== user?.sub)
          throw AppError.conflict(`the username ${username} is taken in this chat`);
      }
    }
    const view = toParticipantView(participant, code);
    if (renamed) this.events.emit('participant:renamed', renamed);
    for (const hook of this.joinHooks) await hook(view);
    return { session_token: await this.tokens.sign(sessionClaims(participant, code)), participant: view };
  }

  /** The session of a registered user in a chat they are a participant of, or forbidden. */
  async memberSession(code: string, user: UserClaims): Promise<SessionClaims> {
    const chat = await this.store.chatRef(code);
    const participant = await this.store.repos.participants.ofUser(chat.id, user.sub);
    if (!participant) throw AppError.forbidden(`you are not a participant of ${code}: join it first (POST /api/chats/${code}/join)`);
    return sessionClaims(participant, code);
  }

  /**
   * A name mixing scripts may not look like one already in the chat (UTS #39 skeleton): `аlice`
   * with a Cyrillic а beside `alice`. Single-script names are not compared, so `алиса` joins freely.
   */
  private async assertNoLookalike(chatId: string, username: string, key: string): Promise<void> {
    const mine = skeleton(key);
    const others = await this.store.repos.participants.names(chatId);
    const twin = others.find((p) => p.usernameKey !== key && skeleton(p.usernameKey) === mine);
    if (twin) throw AppError.conflict(`the username ${username} looks like ${twin.username}, already in this chat`);
  }

  /**
   * Moves an anonymous participant off its name to the first free `name~2`, `name~3`, … (`~` is not
   * allowed in names people choose, so none is taken by one). Null when a concurrent join moved it.
   */
  private async renameAside(p: Participant, code: string): Promise<ParticipantRenamed | null> {
    const old = p.username;
    const { participants } = this.store.repos;
    for (let n = 2; n <= 1000; n++) {
      const suffix = `~${n}`;
      const username = [...old].slice(0, MAX_USERNAME_CHARS - suffix.length).join('') + suffix;
      const key = usernameKey(username);
      if (await participants.nameTaken(p.chatId, key)) continue;
      let moved: boolean;
      try {
        moved = await participants.rename(p.chatId, p.id, p.usernameKey, username, key);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) continue; // taken meanwhile: the next number
        throw err;
      }
      return moved ? { chat_code: code, participant_id: p.id, old_username: old, username } : null;
    }
    throw AppError.conflict(`the username ${old} is taken in this chat`);
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
    const p = await this.store.repos.participants.admitToBackroom(session.chat_id, usernameKey(username));
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
