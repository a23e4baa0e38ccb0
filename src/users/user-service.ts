import { toUserView, type UserView } from '../auth';
import { forkEm, type Orm } from '../db';
import { Chat, User } from '../domain';
import { AppError } from '../errors';
import { ENTRIES, usernameOwner } from './cache-entries';
import type { UserCache } from './user-cache';

/** Profiles by id and by username, read through the user cache; profile updates invalidate them. */
export class UserService {
  constructor(
    private readonly orm: Orm,
    private readonly cache: UserCache,
  ) {}

  /** The public profile of a user, or not_found. */
  byId(userId: string): Promise<UserView> {
    return this.cache.get(userId, ENTRIES.profile, async () => {
      const user = await forkEm(this.orm).findOne(User, { id: userId });
      if (!user) throw AppError.notFound(`user ${userId}`);
      return toUserView(user);
    });
  }

  /** The public profile behind a username (case-insensitive), or not_found. Unknown names are not cached. */
  async byUsername(username: string): Promise<UserView> {
    const key = username.toLowerCase();
    const id = await this.cache.get(usernameOwner(key), ENTRIES.usernameId, async () => {
      const user = await forkEm(this.orm).findOne(User, { username: key }, { fields: ['id'] });
      if (!user) throw AppError.notFound(`user ${username}`);
      return user.id;
    });
    return this.byId(id);
  }

  /**
   * Changes how a username is displayed. The name itself is reserved and stays; only its letter
   * case may change ("alice" → "Alice"). Invalidates the profile and the conversation lists that
   * show it (the user's own and those of their direct partners).
   */
  async updateDisplayName(userId: string, displayName: string): Promise<UserView> {
    const em = forkEm(this.orm);
    const user = await em.findOne(User, { id: userId });
    if (!user) throw AppError.notFound(`user ${userId}`);
    if (displayName.toLowerCase() !== user.username) {
      throw AppError.invalidInput(`display_name may only change the letter case of the username ${user.username}`);
    }
    user.displayName = displayName;
    await em.flush();
    const partners = await this.directPartners(userId);
    await Promise.all([this.cache.invalidate(userId, 'profile'), ...[userId, ...partners].map((id) => this.cache.invalidate(id, 'inbox'))]);
    return toUserView(user);
  }

  /** Ids of the users this user has a direct conversation with. */
  async directPartners(userId: string): Promise<string[]> {
    // directKey is "<id>:<id>"; ids are UUIDs, which hold no LIKE wildcards.
    const chats = await forkEm(this.orm).find(Chat, { directKey: { $like: `%${userId}%` } }, { fields: ['directKey'] });
    return chats.flatMap((c) => (c.directKey ?? '').split(':')).filter((id) => id && id !== userId);
  }
}
