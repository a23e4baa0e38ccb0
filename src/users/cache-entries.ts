import type { Config } from '../config';

/** TTLs of the user-data cache, seconds (CACHE_USER_TTL, CACHE_CONVERSATION_TTL, CACHE_DEFAULT_TTL). */
export interface UserCacheTtls {
  /** profiles and username lookups @default 1800 */
  user: number;
  /** conversation lists and unread counts @default 600 */
  conversation: number;
  /** generation markers and anything else @default 3600 */
  default: number;
}

export function userCacheTtls(
  config: Pick<Config, 'userCacheTtlSeconds' | 'conversationCacheTtlSeconds' | 'defaultCacheTtlSeconds'>,
): UserCacheTtls {
  return { user: config.userCacheTtlSeconds, conversation: config.conversationCacheTtlSeconds, default: config.defaultCacheTtlSeconds };
}

/**
 * Values that change together and are invalidated together. Each group has a generation marker
 * (`<group>.gen`): a cached value is only served while it carries the marker that was current when
 * its database read began, so a read racing a write can never store a stale value for good.
 */
export type CacheGroup = 'profile' | 'inbox' | 'tokens';

/** One kind of cached per-user value: its `what` in keys.user(owner, what), its group and TTL. */
export interface CacheEntry {
  what: string;
  /** null: the value never changes once written (no generation check, no invalidation) */
  group: CacheGroup | null;
  ttl(t: UserCacheTtls): number;
}

export const ENTRIES = {
  /** user:{ID}:profile → the public profile */
  profile: { what: 'profile', group: 'profile', ttl: (t) => t.user },
  /** user:{@name}:id → the user id behind a username (usernames are never renamed or freed) */
  usernameId: { what: 'id', group: null, ttl: (t) => t.user },
  /** user:{ID}:conversations → the conversation list */
  conversations: { what: 'conversations', group: 'inbox', ttl: (t) => t.conversation },
  /** user:{ID}:unread → total unread count */
  unread: { what: 'unread', group: 'inbox', ttl: (t) => t.conversation },
  /** user:{ID}:tokens-valid-after → when logout last revoked the user's tokens (ms), or null */
  tokensValidAfter: { what: 'tokens-valid-after', group: 'tokens', ttl: (t) => t.user },
} satisfies Record<string, CacheEntry>;

/** The generation marker's `what` for a group. */
export const genOf = (group: CacheGroup) => `${group}.gen`;

/** Every `what` an invalidation of a group deletes: the marker and the values. */
export function groupMembers(group: CacheGroup): string[] {
  return [
    genOf(group),
    ...Object.values(ENTRIES as Record<string, CacheEntry>)
      .filter((e) => e.group === group)
      .map((e) => e.what),
  ];
}

/**
 * The owner id under which a username lookup is cached: `user:{@alice}:id`. Account names are
 * [A-Za-z0-9_], so the `@` keeps these apart from user ids.
 */
export const usernameOwner = (username: string) => `@${username.toLowerCase()}`;
