// The server's own socket.io types (src/realtime/events.ts imports nothing of the server), re-exported
// so apps import everything from the SDK. REST answers the SDK reads are described here: the server
// has no client-facing module for them yet (docs/contract.md "REST" is their reference).
export type {
  Ack,
  AckError,
  ClientToServerEvents,
  ConversationCreated,
  InboxUpdate,
  JoinPayload,
  JoinResult,
  LastMessagePreview,
  MessageView,
  ParticipantRenamed,
  PresenceUpdate,
  ReactionUpdate,
  SendPayload,
  ServerToClientEvents,
} from '../../../src/realtime/events';
import type { LastMessagePreview, MessageView } from '../../../src/realtime/events';

export interface UserView {
  id: string;
  username: string;
  display_name?: string;
}

/** POST /api/auth/register, /login, /refresh */
export interface AuthAnswer {
  user: UserView;
  token: string;
}

/** POST /api/chats/:code/join */
export interface ChatJoinAnswer {
  session_token: string;
  participant: { id: string; username: string; is_host?: boolean };
}

/** GET /api/chats/:code */
export interface ChatInfo {
  code: string;
  name: string;
  last_seq: number;
}

/** GET /api/chats/:code/messages */
export interface HistoryPage {
  messages: MessageView[];
  has_more: boolean;
  next_before: number | null;
  next_after?: number | null;
  last_seq: number;
}

/** One entry of GET /api/me/conversations */
export interface Conversation {
  code: string;
  name: string;
  kind: string;
  partner: { username: string } | null;
  last_seq: number;
  last_read_seq: number;
  unread: number;
  last_message: LastMessagePreview | null;
  last_message_at: string;
}
