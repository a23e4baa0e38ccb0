import type { z } from 'zod';
import {
  ackErrorSchema,
  ackSchema,
  ackSchemas,
  errorCodeSchema,
  lastMessagePreviewSchema,
  messageViewSchema,
  reactionsSchema,
  serverEventSchemas,
} from '../realtime/events';
import { joinPayload, leavePayload, reactPayload, sendPayload } from '../realtime/socket-inputs';
import { restResponseSchemas } from './rest-schemas';

/** Both documents' shared parts: a message is the same object over REST and socket.io. */
const shared = {
  Message: messageViewSchema,
  LastMessagePreview: lastMessagePreviewSchema,
  ErrorObject: ackErrorSchema,
  ErrorCode: errorCodeSchema,
  ReactionCounts: reactionsSchema,
};

/** The socket.io payloads: client → server as the gateway parses them, acks and server → client as events.ts declares them. */
const socket = {
  ChatJoinPayload: joinPayload,
  ChatJoinAck: ackSchema(ackSchemas['chat:join']),
  MessageSendPayload: sendPayload,
  MessageSendAck: ackSchema(ackSchemas['message:send']),
  MessageReactPayload: reactPayload,
  MessageReactAck: ackSchema(ackSchemas['message:react']),
  ChatLeavePayload: leavePayload,
  ChatLeaveAck: ackSchema(ackSchemas['chat:leave']),
  ReactionUpdate: serverEventSchemas['reaction:updated'],
  PresenceUpdate: serverEventSchemas['presence:updated'],
  InboxUpdate: serverEventSchemas['inbox:updated'],
  ConversationCreated: serverEventSchemas['conversation:created'],
};

/** Every named schema of the two documents: each becomes a component of the documents that use it. */
export const apiSchemas = { ...shared, ...restResponseSchemas, ...socket };
export type ApiSchemas = { [K in keyof typeof apiSchemas]: z.ZodType };
/** The body type a response component describes: route code that builds a body checks it with `satisfies`. */
export type Body<K extends keyof typeof apiSchemas> = z.output<(typeof apiSchemas)[K]>;

export const SHARED_COMPONENTS = Object.keys(shared) as (keyof ApiSchemas)[];
export const REST_COMPONENTS = Object.keys(restResponseSchemas) as (keyof ApiSchemas)[];
export const SOCKET_COMPONENTS = Object.keys(socket) as (keyof ApiSchemas)[];
