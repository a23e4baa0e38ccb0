// The chat folder's public face: re-exports only; the services are wired in compose.ts.
export { ChatEvents, type ChatEventMap, type InboxChange, type ParticipantRenamed } from './events';
export {
  ackErrorSchema,
  errorCodeSchema,
  lastMessagePreviewSchema,
  messageViewSchema,
  type AckError,
  type LastMessagePreview,
} from './message-wire';
export { ParticipantNames } from './participant-names';
export { toMessageView, toCached, lendJson, preparedJson, type MessageView, type MessageFields } from './message-view';
export { MessageStore, type ChatRef } from './message-store';
export { RepairQueue, type RepairStats } from './repair-queue';
export { RateLimiter } from './rate-limiter';
export { HistoryService } from './history-service';
export type { HistoryPage, HistorySource } from './history-page';
export { SendService, type SendResult } from './send-service';
export { ChatService, toParticipantView, newChatCode, type ChatView, type ParticipantView, type PresenceCounter } from './chat-service';
export { MessageChangeService, changeMessage } from './message-change-service';
export { PinService } from './pin-service';
export { ReactionService } from './reaction-service';
export { CacheWriter } from './cache-writer';
export { WindowRebuilder } from './window-rebuilder';
export * as inputs from './inputs';
export { createChatServices, type ChatServices } from './compose';
