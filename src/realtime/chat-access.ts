import type { SessionClaims, TokenService } from '../auth';
import type { ChatServices } from '../chat';
import { AppError } from '../errors';
import type { RealtimeSocket } from './server-events';

/**
 * Which participant a connection acts as in a chat. One connection holds many chats: a user
 * token's socket acts as its user's participant in each, an anonymous one as the participant of the
 * session token it joined with (or connected with, for that token's own chat).
 */
export class ChatAccess {
  constructor(
    private readonly chat: ChatServices,
    private readonly tokens: TokenService,
    /** chats one connection may hold */
    readonly maxChats: number,
  ) {}

  /** The session for an event of chat `code`: the joined chat's, else resolved as a join would. */
  session(socket: RealtimeSocket, code: string): Promise<SessionClaims> | SessionClaims {
    return socket.data.chats[code] ?? this.resolve(socket, code);
  }

  /** The session a `chat:join` acts with; `sessionToken` (that chat's) wins over the handshake's token. */
  async resolve(socket: RealtimeSocket, code: string, sessionToken?: string): Promise<SessionClaims> {
    if (sessionToken !== undefined) return this.ownSession(await this.tokens.verifySession(sessionToken), code);
    const claims = socket.data.claims;
    if (claims.typ === 'session') return this.ownSession(claims, code);
    return this.chat.chats.memberSession(code, claims);
  }

  /** Refuses a chat beyond the connection's limit (a chat it holds already is no new one). */
  assertRoomFor(socket: RealtimeSocket, code: string): void {
    const chats = socket.data.chats;
    if (!(code in chats) && Object.keys(chats).length >= this.maxChats) {
      throw AppError.limitExceeded(`a connection holds at most ${this.maxChats} chats: leave one (chat:leave) first`);
    }
  }

  private ownSession(session: SessionClaims, code: string): SessionClaims {
    if (session.code !== code)
      throw AppError.forbidden(`this session token belongs to another chat: join ${code} with its own session_token`);
    return session;
  }
}
