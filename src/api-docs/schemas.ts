import type { z } from 'zod';
import { responses } from '../http';
import {
  ackErrorSchema,
  ackSchema,
  ackSchemas,
  errorCodeSchema,
  lastMessagePreviewSchema,
  messageViewSchema,
  reactionsSchema,
  serverEventSchemas,
  socketInputs,
} from '../realtime';

const { restResponseSchemas } = responses;
const { joinPayload, leavePayload, reactPayload, sendPayload } = socketInputs;

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
  ParticipantRenamed: serverEventSchemas['participant:renamed'],
};

/** Every named schema of the two documents: each becomes a component of the documents that use it. */
export const apiSchemas = { ...shared, ...restResponseSchemas, ...socket };
export type ApiSchemas = { [K in keyof typeof apiSchemas]: z.ZodType };

export const SHARED_COMPONENTS = Object.keys(shared) as (keyof ApiSchemas)[];
export const REST_COMPONENTS = Object.keys(restResponseSchemas) as (keyof ApiSchemas)[];
export const SOCKET_COMPONENTS = Object.keys(socket) as (keyof ApiSchemas)[];
