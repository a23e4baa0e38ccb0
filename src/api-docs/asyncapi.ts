import { toComponents, type JsonSchema } from './json-schema';
import { API_TITLE, API_VERSION } from './openapi';
import { apiSchemas, SHARED_COMPONENTS, SOCKET_COMPONENTS, type ApiSchemas } from './schemas';

/** Client → server events: each answers on its ack callback. */
export const CLIENT_EVENTS = [
  { event: 'chat:join', payload: 'ChatJoinPayload', ack: 'ChatJoinAck', summary: 'Join a chat (or rejoin from since_seq / since_version)' },
  { event: 'message:send', payload: 'MessageSendPayload', ack: 'MessageSendAck', summary: 'Send a message; ok means committed' },
  { event: 'message:react', payload: 'MessageReactPayload', ack: 'MessageReactAck', summary: 'Add or remove a reaction' },
  { event: 'chat:leave', payload: 'ChatLeavePayload', ack: 'ChatLeaveAck', summary: 'Leave a chat on this connection' },
] as const satisfies readonly { event: string; payload: keyof ApiSchemas; ack: keyof ApiSchemas; summary: string }[];

/** Server → client events (src/realtime/events.ts ServerToClientEvents). */
export const SERVER_EVENTS = [
  { event: 'message:new', payload: 'Message', summary: 'A new message, in seq order, once per connection and chat' },
  { event: 'message:updated', payload: 'Message', summary: 'A message was edited' },
  { event: 'message:deleted', payload: 'Message', summary: 'A message was deleted (a tombstone)' },
  { event: 'message:pinned', payload: 'Message', summary: 'A message was pinned' },
  { event: 'reaction:updated', payload: 'ReactionUpdate', summary: "A message's reaction counts changed" },
  { event: 'presence:updated', payload: 'PresenceUpdate', summary: "A chat's online list changed" },
  {
    event: 'inbox:updated',
    payload: 'InboxUpdate',
    summary: "To a user's sockets: a chat of theirs changed (at most one per chat per second)",
  },
  {
    event: 'conversation:created',
    payload: 'ConversationCreated',
    summary: "To a user's sockets: someone opened a 1:1 conversation with them",
  },
  {
    event: 'participant:renamed',
    payload: 'ParticipantRenamed',
    summary: "An anonymous participant's name went to its registered owner; it posts under username (name~N) now",
  },
] as const satisfies readonly { event: string; payload: keyof ApiSchemas; summary: string }[];

/** `chat:join` → `chatJoin`: component names (AsyncAPI keys allow no colon). */
const key = (event: string) => event.replace(/[:-](\w)/g, (_, c: string) => c.toUpperCase());

/** The AsyncAPI 3.0 document of the socket.io events, generated from the schemas the gateway parses and events.ts declares. */
export function buildAsyncApi(schemas: ApiSchemas = apiSchemas): JsonSchema {
  const named: Record<string, import('zod').ZodType> = {};
  for (const k of [...SHARED_COMPONENTS, ...SOCKET_COMPONENTS]) named[k] = schemas[k];
  const components = toComponents(named, 'draft-07', (n) => `#/components/schemas/${n}`);

  const messages: Record<string, JsonSchema> = {};
  const channelMessages: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const message = (id: string, name: string, payload: string, summary: string) => {
    messages[id] = { name, summary, contentType: 'application/json', payload: { $ref: `#/components/schemas/${payload}` } };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
  };
  for (const e of CLIENT_EVENTS) {
    message(key(e.event), e.event, e.payload, e.summary);
    message(`${key(e.event)}Ack`, e.event, e.ack, `The ack of ${e.event}: { ok: true, … } or { ok: false, error }`);
    operations[key(e.event)] = {
      action: 'receive',
      channel: { $ref: '#/channels/socket' },
      summary: e.summary,
      messages: [{ $ref: `#/channels/socket/messages/${key(e.event)}` }],
      reply: { channel: { $ref: '#/channels/socket' }, messages: [{ $ref: `#/channels/socket/messages/${key(e.event)}Ack` }] },
    };
  }
  for (const e of SERVER_EVENTS) {
    message(key(e.event), e.event, e.payload, e.summary);
    operations[key(e.event)] = {
      action: 'send',
      channel: { $ref: '#/channels/socket' },
      summary: e.summary,
      messages: [{ $ref: `#/channels/socket/messages/${key(e.event)}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: `${API_TITLE} socket.io`,
      version: API_VERSION,
      description:
        'socket.io at path /socket.io, handshake auth { token } (a user token or a session token). Each event is one ' +
        'socket.io event whose single argument is the message payload; client events take an ack callback (the reply). ' +
        'A refused connection gets connect_error with data { code, message }. The REST API: /api/openapi.json.',
    },
    defaultContentType: 'application/json',
    channels: {
      socket: { address: '/', title: 'the default socket.io namespace', messages: channelMessages },
    },
    operations,
    components: { schemas: components, messages },
  };
}
