import { User } from '../../domain';
import type { Db } from './tx';

/** Registered accounts. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  byId(id: string): Promise<User | null> {
    return this.db.em().findOne(User, { id });
  }

  /** The id of the user holding this (lower-cased) username, or null. */
  async idOf(username: string): Promise<string | null> {
    return (await this.db.em().findOne(User, { username }, { fields: ['id'] }))?.id ?? null;
  }

  /** When logout last revoked the user's tokens (tokens issued until then are refused), or null. */
  async tokensValidAfter(id: string): Promise<Date | null> {
    const user = await this.db.em().findOne(User, { id }, { fields: ['tokensValidAfter'] });
    return user?.tokensValidAfter ? new Date(user.tokensValidAfter) : null;
  }

  /** Revokes every token of the user issued before `at`. */
  async revokeTokens(id: string, at: Date): Promise<void> {
    await this.db.em().nativeUpdate(User, { id }, { tokensValidAfter: at });
  }

  /** With its password hash (lazy otherwise), for a login. */
  withPassword(username: string): Promise<User | null> {
    return this.db.em().findOne(User, { username }, { populate: ['passwordHash'] });
  }

  /** Inserts a user; a taken username throws the unique violation. */
  async insert(user: User): Promise<void> {
    await this.db.em().persistAndFlush(user);
  }

  /** Applies `change` to the user and saves it; null when there is none. */
  async update(id: string, change: (user: User) => void): Promise<User | null> {
    const em = this.db.em();
    const user = await em.findOne(User, { id });
    if (!user) return null;
    change(user);
    await em.flush();
    return user;
  }
}
