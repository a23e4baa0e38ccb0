// What only the server sees of socket.io: events between pods, per-connection data, the typed
// Server and Socket. The client-facing events are in events.ts.
import type { Server, Socket } from 'socket.io';
import type { Claims, SessionClaims } from '../auth';
import type { MessageView, ParticipantRenamed } from '../chat';
import type { Channel } from '../domain';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

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
  /** a participant was renamed on the sending pod: the others' send paths take the new name */
  'participant:renamed': (rename: ParticipantRenamed) => void;
  /** a pod started: the others announce their changes again if they had stopped for want of listeners (peer-pods.ts) */
  'pod:hello': () => void;
}

export interface SocketData {
  /** the handshake's token: a user's, or one chat's session */
  claims: Claims;
  /** chat code → the participant this connection acts as there, for each chat it has joined */
  chats: Record<string, SessionClaims>;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
