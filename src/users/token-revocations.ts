import type { TokenRevoker } from '../auth';
import type { UserRepository } from '../db';
import { ENTRIES } from './cache-entries';
import type { UserCache } from './user-cache';

/**
 * `users.tokens_valid_after`, which logout sets, read through the user cache: every request of a
 * registered user checks it, and every pod sees a logout with its next read (the invalidation lands
 * before logout answers).
 */
export class TokenRevocations implements TokenRevoker {
  constructor(
    private readonly users: UserRepository,
    private readonly cache: UserCache,
  ) {}

  validAfter(userId: string): Promise<number | null> {
    return this.cache.get(userId, ENTRIES.tokensValidAfter, async () => {
      const validAfter = await this.users.tokensValidAfter(userId);
      return validAfter ? validAfter.getTime() : null;
    });
  }

  async revoke(userId: string): Promise<void> {
    await this.users.revokeTokens(userId, new Date());
    await this.cache.invalidate(userId, 'tokens');
  }
}
