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
  private readonly ends = new Set<(userId: string, validAfterMs: number) => Promise<void>>();

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

  /**
   * What else a logout ends, e.g. the connections opened with the revoked tokens. Awaited before
   * logout answers; a failure is the listener's to report (the revocation itself holds).
   */
  onRevoked(end: (userId: string, validAfterMs: number) => Promise<void>): () => void {
    this.ends.add(end);
    return () => this.ends.delete(end);
  }

  async revoke(userId: string): Promise<void> {
    const at = new Date();
    await this.users.revokeTokens(userId, at);
    await this.cache.invalidate(userId, 'tokens');
    await Promise.allSettled([...this.ends].map((end) => end(userId, at.getTime())));
  }
}
