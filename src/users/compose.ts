import type { CacheEngine } from '../cache';
import type { ChatServices } from '../chat';
import type { Orm } from '../db';
import type { Logger } from '../logger';
import type { UserCacheTtls } from './cache-entries';
import { ConversationService } from './conversation-service';
import { InboxFeed } from './inbox-feed';
import { InboxInvalidator } from './inbox-invalidator';
import { ReadMarkerService } from './read-marker-service';
import { TokenRevocations } from './token-revocations';
import { UserCache } from './user-cache';
import { UserService } from './user-service';

export interface UserServices {
  cache: UserCache;
  profiles: UserService;
  conversations: ConversationService;
  reads: ReadMarkerService;
  invalidator: InboxInvalidator;
  /** what a chat's change looks like in its members' inboxes */
  inbox: InboxFeed;
  /** logout's revocations, which token verification checks */
  revocations: TokenRevocations;
  /** Unsubscribes from chat events, lets running invalidations finish and stops retry timers. */
  close(): Promise<void>;
}

/** Wires the user-data services over the chat services' store, history and events. */
export function createUserServices(deps: {
  orm: Orm;
  cache: CacheEngine;
  chat: ChatServices;
  ttls: UserCacheTtls;
  log: Logger;
}): UserServices {
  const cache = new UserCache(deps.cache, deps.ttls, deps.log);
  const profiles = new UserService(deps.orm, cache);
  const invalidator = new InboxInvalidator(deps.chat.store, cache, deps.log);
  const detach = invalidator.attach(deps.chat.events);
  invalidator.observeJoins(deps.chat.chats);
  return {
    cache,
    profiles,
    conversations: new ConversationService(deps.chat.store, deps.chat.history, profiles, cache),
    reads: new ReadMarkerService(deps.chat.store, cache),
    invalidator,
    inbox: new InboxFeed(deps.chat.store, deps.chat.history),
    revocations: new TokenRevocations(deps.chat.store.repos.users, cache),
    close: async () => {
      detach();
      invalidator.close();
      await cache.settled();
      cache.close();
    },
  };
}
