import { toUserView, type UserView } from '../auth';
import { Repositories, type Orm, type UserRepository, type ChatRepository } from '../db';
import { AppError } from '../errors';
import { ENTRIES, usernameOwner } from './cache-entries';
import type { UserCache } from './user-cache';

/** Profiles by id and by username, read through the user cache; profile updates invalidate them. */
export class UserService {
  private readonly users: UserRepository;
  private readonly chats: ChatRepository;

  constructor(
    orm: Orm,
    private readonly cache: UserCache,
  ) {
    ({ users: this.users, chats: this.chats } = new Repositories(orm));
  }

  /** The public profile of a user, or not_found. */
  byId(userId: string): Promise<UserView> {
    return this.cache.get(userId, ENTRIES.profile, async () => {
      const user = await this.users.byId(userId);
      if (!user) throw AppError.notFound(`user ${userId}`);
      return toUserView(user);
    });
  }

  /** The public profile behind a username (case-insensitive), or not_found. Unknown names are not cached. */
  async byUsername(username: string): Promise<UserView> {
    const key = username.toLowerCase();
    const id = await this.cache.get(usernameOwner(key), ENTRIES.usernameId, async () => {
      const id = await this.users.idOf(key);
      if (!id) throw AppError.notFound(`user ${username}`);
      return id;
    });
    return this.byId(id);
  }

  /**
   * Changes how a username is displayed. The name itself is reserved and stays; only its letter
   * case may change ("alice" → "Alice"). Invalidates the profile and the conversation lists that
   * show it (the user's own and those of their direct partners).
   */
  async updateDisplayName(userId: string, displayName: string): Promise<UserView> {
    const user = await this.users.update(userId, (u) => {
      if (displayName.toLowerCase() !== u.username) {
        throw AppError.invalidInput(`display_name may only change the letter case of the username ${u.username}`);
      }
      u.displayName = displayName;
    });
    if (!user) throw AppError.notFound(`user ${userId}`);
    const partners = await this.directPartners(userId);
    await Promise.all([this.cache.invalidate(userId, 'profile'), ...[userId, ...partners].map((id) => this.cache.invalidate(id, 'inbox'))]);
    return toUserView(user);
  }

  /** Ids of the users this user has a direct conversation with. */
  async directPartners(userId: string): Promise<string[]> {
    const keys = await this.chats.directKeysOf(userId);
    return keys.flatMap((k) => k.split(':')).filter((id) => id && id !== userId);
  }
}
