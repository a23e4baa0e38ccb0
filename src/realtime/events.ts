// The socket.io event map of docs/contract.md, shared by the gateway (Server<…>) and the tests' clients
// (Socket<ServerToClientEvents, ClientToServerEvents>).
import type { SessionClaims } from '../auth';
import type { Server, Socket } from 'socket.io';
import type { MessageView } from '../chat';
import type { Channel } from '../domain';

/** The contract's error object; `retry_after` (seconds) accompanies `rate_limited`. */
export interface AckError {
  code: string;
  message: string;
  retry_after?: number;
}

export type AckFailure = { ok: false; error: AckError };
/** Every ack: `{ ok: true, …result }` or `{ ok: false, error: { code, message } }`. */
export type Ack<T extends object> = ({ ok: true } & T) | AckFailure;

export interface JoinPayload {
  code: string;
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

export interface SendPayload {
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
  code: string;
  /** usernames online now, sorted */
  online: string[];
}

export interface ServerToClientEvents {
  'message:new': (message: MessageView) => void;
  'message:updated': (message: MessageView) => void;
  'message:deleted': (message: MessageView) => void;
  'message:pinned': (message: MessageView) => void;
  'reaction:updated': (update: ReactionUpdate) => void;
  'presence:updated': (update: PresenceUpdate) => void;
}

/** A chat change as pods pass it to each other; `message` carries the seq and channel it is ordered by. */
export type ChatChange =
  /** what one pod committed in one event-loop turn, in commit order (one publish for all of it) */
  | { type: 'changes'; changes: ChatChange[] }
  /** one committed send batch, ascending by seq */
  | { type: 'messages:new'; chat_code: string; channel: Channel; messages: MessageView[] }
  /** a single new message: what pods of earlier versions announce */
  | { type: 'message:new' | 'message:updated' | 'message:deleted' | 'message:pinned'; chat_code: string; message: MessageView }
  | { type: 'reaction:updated'; chat_code: string; message: MessageView; reactions: Record<string, number> };

export interface InterServerEvents {
  /** every committed change, from the pod that committed it to every other pod (one event per event-loop turn) */
  'chat:changes': (change: ChatChange) => void;
  /**
   * What pods of the first release send (one message change each). Kept apart from 'chat:changes',
   * whose batches they cannot read: during a rolling upgrade they ignore the new event, and their
   * sequencers fill what they miss from history, instead of failing on it.
   */
  'chat:change': (change: ChatChange) => void;
  /** a pod's connections to a chat changed: recount it */
  'presence:changed': (code: string) => void;
}

export interface SocketData {
  session: SessionClaims;
  /** chat codes this connection has joined */
  chats: string[];
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
