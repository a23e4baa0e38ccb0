// The socket.io events and payloads of docs/contract.md, as clients see them: shared by the gateway
// (Server<…>, with server-events.ts) and the tests' clients (Socket<ServerToClientEvents,
// ClientToServerEvents>). Types only, importing nothing of the server, so an SDK can import them.
// Past chat's face on purpose: its index loads the server; message-wire.ts imports nothing.
// eslint-disable-next-line no-restricted-imports -- see above
import type { LastMessagePreview, MessageView, ParticipantRenamed } from '../chat/message-wire';

// eslint-disable-next-line no-restricted-imports -- see above
export type { LastMessagePreview, MessageView, ParticipantRenamed } from '../chat/message-wire';

/** The contract's error object; `retry_after` (seconds) accompanies `rate_limited`. */
export interface AckError {
  code: string;
  message: string;
  retry_after?: number;
}

export type AckFailure = { ok: false; error: AckError };
/** Every ack: `{ ok: true, …result }` or `{ ok: false, error: { code, message } }`. */
export type Ack<T extends object> = ({ ok: true } & T) | AckFailure;

/** W3C trace context a client may add to chat:join and message:send: the server's span continues its trace. */
export interface EventTrace {
  traceparent?: string;
  tracestate?: string;
}

export interface JoinPayload extends EventTrace {
  code: string;
  /** an anonymous participant's session token of this chat; a user token's socket joins its user's chats without one */
  session_token?: string;
  /** the last seq the client holds; omitted on a first join */
  since_seq?: number;
  /** the chat version of the client's last join ack */
  since_version?: number;
}

export interface JoinResult {
  /** `message:new` events continue from `last_seq + 1`; everything up to it is in `missed` (when since_seq was sent) */
  last_seq: number;
  version: number;
  /** seq > since_seq, ascending */
  missed: MessageView[];
  /** seq ≤ since_seq and changed after since_version, ascending by seq */
  changed: MessageView[];
  /** false when more than the replay limit were missed: page the rest over REST */
  recovered: boolean;
  /** for host and back-room members: back-room events continue from here */
  backroom_last_seq?: number;
}

export interface SendPayload extends EventTrace {
  code: string;
  content: string;
  client_id?: string;
  reply_to?: string | null;
  channel?: 'main' | 'backroom';
}

export interface ReactPayload {
  code: string;
  message_id: string;
  emoji: string;
  op: 'add' | 'remove';
}

export interface LeavePayload {
  code: string;
}

export interface ClientToServerEvents {
  'chat:join': (payload: JoinPayload, ack: (res: Ack<JoinResult>) => void) => void;
  'message:send': (payload: SendPayload, ack: (res: Ack<{ message: MessageView }>) => void) => void;
  'message:react': (payload: ReactPayload, ack: (res: Ack<{ reactions: Record<string, number> }>) => void) => void;
  'chat:leave': (payload: LeavePayload, ack: (res: Ack<object>) => void) => void;
}

export interface ReactionUpdate {
  chat_code: string;
  message_id: string;
  reactions: Record<string, number>;
  version: number;
}

export interface PresenceUpdate {
  chat_code: string;
  /** the same as chat_code, for clients of the one-chat release; goes in the next one */
  code: string;
  /** usernames online now, sorted */
  online: string[];
}

export interface InboxUpdate {
  chat_code: string;
  last_seq: number;
  /** messages after the user's read marker, their own not counted */
  unread: number;
  last_message: LastMessagePreview | null;
}

export interface ConversationCreated {
  chat_code: string;
  /** the username of the user who opened it */
  with: string;
}

export interface ServerToClientEvents {
  'message:new': (message: MessageView) => void;
  'message:updated': (message: MessageView) => void;
  'message:deleted': (message: MessageView) => void;
  'message:pinned': (message: MessageView) => void;
  'reaction:updated': (update: ReactionUpdate) => void;
  'presence:updated': (update: PresenceUpdate) => void;
  /** to a registered user's sockets: a chat of theirs changed (at most one per chat per second) */
  'inbox:updated': (update: InboxUpdate) => void;
  /** to a registered user's sockets: someone opened a 1:1 conversation with them */
  'conversation:created': (created: ConversationCreated) => void;
  /** an anonymous participant's name went to its registered owner; it posts under `username` now */
  'participant:renamed': (rename: ParticipantRenamed) => void;
}
