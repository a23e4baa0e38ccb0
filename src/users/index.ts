// The users folder's public face: re-exports only; the services are wired in compose.ts.
export {
  userCacheTtls,
  ENTRIES,
  usernameOwner,
  genOf,
  groupMembers,
  type UserCacheTtls,
  type CacheEntry,
  type CacheGroup,
} from './cache-entries';
export { UserCache, RETRY_INVALIDATIONS_MS, type UserCacheStats } from './user-cache';
export { SingleFlight } from './single-flight';
export { UserService } from './user-service';
export { ReadMarkerService, type ReadMarkerView } from './read-marker-service';
export {
  ConversationService,
  MAX_CONVERSATIONS,
  PREVIEW_CHARS,
  type ConversationCreatedHook,
  type ConversationView,
  type OpenedConversation,
  type PartnerView,
} from './conversation-service';
export { InboxInvalidator, MEMBER_LOOKUP_ATTEMPTS } from './inbox-invalidator';
export { InboxFeed, type ChatInbox } from './inbox-feed';
export { TokenRevocations } from './token-revocations';

export { createUserServices, type UserServices } from './compose';
