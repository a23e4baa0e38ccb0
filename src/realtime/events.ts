// The socket.io events and payloads of docs/contract.md, as clients see them: shared by the gateway
// (Server<…>, with server-events.ts) and the tests' clients (Socket<ServerToClientEvents,
// ClientToServerEvents>). zod schemas with the types derived from them, importing nothing of the
// server, so an SDK can import them; /api/asyncapi.json is generated from these schemas.
// Past chat's face on purpose: its index loads the server; message-wire.ts imports nothing but zod.
import { z } from 'zod';
// eslint-disable-next-line no-restricted-imports -- see above
import {
  ackErrorSchema,
  lastMessagePreviewSchema,
  messageViewSchema,
  participantRenamedSchema,
  type AckError,
  type MessageView,
  type ParticipantRenamed,
} from '../chat/message-wire';

// eslint-disable-next-line no-restricted-imports -- see above
export {
  ackErrorSchema,
  errorCodeSchema,
  lastMessagePreviewSchema,
  messageViewSchema,
  participantRenamedSchema,
  type AckError,
  type LastMessagePreview,
  type MessageView,
  type ParticipantRenamed,
} from '../chat/message-wire';

export const ackFailureSchema = z.strictObject({ ok: z.literal(false), error: ackErrorSchema });
export type AckFailure = { ok: false; error: AckError };
/** Every ack: `{ ok: true, …result }` or `{ ok: false, error: { code, message } }`. */
export type Ack<T extends object> = ({ ok: true } & T) | AckFailure;

/** The ack schema of a result: `{ ok: true, …result }` or the failure. */
export const ackSchema = <T extends z.ZodRawShape>(result: z.ZodObject<T>) =>
  z.union([result.extend({ ok: z.literal(true) }).strict(), ackFailureSchema]);

export interface JoinPayload {
  code: string;
  /** an anonymous participant's session token of this chat; a user token's socket joins its user's chats without one */
  session_token?: string;
  /** the last seq the client holds; omitted on a first join */
  since_seq?: number;
  /** the chat version of the client's last join ack */
  since_version?: number;
}

export const joinResultSchema = z.strictObject({
  /** `message:new` events continue from `last_seq + 1`; everything up to it is in `missed` (when since_seq was sent) */
  last_seq: z.int().min(0),
  version: z.int().min(0),
  /** seq > since_seq, ascending */
  missed: z.array(messageViewSchema),
  /** seq ≤ since_seq and changed after since_version, ascending by seq */
  changed: z.array(messageViewSchema),
  /** false when more than the replay limit were missed: page the rest over REST */
  recovered: z.boolean(),
  /** for host and back-room members: back-room events continue from here */
  backroom_last_seq: z.int().min(0).optional(),
});
export type JoinResult = z.infer<typeof joinResultSchema>;

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

export const sendResultSchema = z.strictObject({ message: messageViewSchema });
export const reactionsSchema = z.record(z.string(), z.int().min(0));
export const reactResultSchema = z.strictObject({ reactions: reactionsSchema });
export const leaveResultSchema = z.strictObject({});

export interface ClientToServerEvents {
  'chat:join': (payload: JoinPayload, ack: (res: Ack<JoinResult>) => void) => void;
  'message:send': (payload: SendPayload, ack: (res: Ack<{ message: MessageView }>) => void) => void;
  'message:react': (payload: ReactPayload, ack: (res: Ack<{ reactions: Record<string, number> }>) => void) => void;
  'chat:leave': (payload: LeavePayload, ack: (res: Ack<object>) => void) => void;
}

export const reactionUpdateSchema = z.strictObject({
  chat_code: z.string(),
  message_id: z.uuid(),
  reactions: reactionsSchema,
  version: z.int().min(0),
});
export type ReactionUpdate = z.infer<typeof reactionUpdateSchema>;

export const presenceUpdateSchema = z.strictObject({
  chat_code: z.string(),
  /** the same as chat_code, for clients of the one-chat release; goes in the next one */
  code: z.string(),
  /** usernames online now, sorted */
  online: z.array(z.string()),
});
export type PresenceUpdate = z.infer<typeof presenceUpdateSchema>;

export const inboxUpdateSchema = z.strictObject({
  chat_code: z.string(),
  last_seq: z.int().min(0),
  /** messages after the user's read marker, their own not counted */
  unread: z.int().min(0),
  last_message: lastMessagePreviewSchema.nullable(),
});
export type InboxUpdate = z.infer<typeof inboxUpdateSchema>;

export const conversationCreatedSchema = z.strictObject({
  chat_code: z.string(),
  /** the username of the user who opened it */
  with: z.string(),
});
export type ConversationCreated = z.infer<typeof conversationCreatedSchema>;

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

/** The payload schema of each server → client event (ServerToClientEvents), for documents and checks. */
export const serverEventSchemas = {
  'message:new': messageViewSchema,
  'message:updated': messageViewSchema,
  'message:deleted': messageViewSchema,
  'message:pinned': messageViewSchema,
  'reaction:updated': reactionUpdateSchema,
  'presence:updated': presenceUpdateSchema,
  'inbox:updated': inboxUpdateSchema,
  'conversation:created': conversationCreatedSchema,
  'participant:renamed': participantRenamedSchema,
} satisfies { [E in keyof ServerToClientEvents]: z.ZodType<Parameters<ServerToClientEvents[E]>[0]> };

/** The ack schema of each client → server event (ClientToServerEvents). */
export const ackSchemas = {
  'chat:join': joinResultSchema,
  'message:send': sendResultSchema,
  'message:react': reactResultSchema,
  'chat:leave': leaveResultSchema,
} satisfies { [E in keyof ClientToServerEvents]: z.ZodObject };
