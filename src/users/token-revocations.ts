import type { TokenRevoker } from '../auth';
import { forkEm, type Orm } from '../db';
import { User } from '../domain';
import { ENTRIES } from './cache-entries';
import type { UserCache } from './user-cache';

/**
 * `users.tokens_valid_after`, which logout sets, read through the user cache: every request of a
 * registered user checks it, and every pod sees a logout with its next read (the invalidation lands
 * before logout answers).
 */
export class TokenRevocations implements TokenRevoker {
  constructor(
    private readonly orm: Orm,
    private readonly cache: UserCache,
  ) {}

  validAfter(userId: string): Promise<number | null> {
    return this.cache.get(userId, ENTRIES.tokensValidAfter, async () => {
      const user = await forkEm(this.orm).findOne(User, { id: userId }, { fields: ['tokensValidAfter'] });
      return user?.tokensValidAfter ? new Date(user.tokensValidAfter).getTime() : null;
    });
  }

  async revoke(userId: string): Promise<void> {
    await forkEm(this.orm).nativeUpdate(User, { id: userId }, { tokensValidAfter: new Date() });
    await this.cache.invalidate(userId, 'tokens');
  }
}
