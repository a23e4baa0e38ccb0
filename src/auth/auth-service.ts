import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Repositories, type Orm, type UserRepository } from '../db';
import { User } from '../domain';
import { AppError } from '../errors';
import { dummyHash, hashPassword, verifyPassword } from './passwords';
import type { TokenService } from './tokens';

export interface UserView {
  id: string;
  username: string;
  created_at: string;
}

export function toUserView(u: User): UserView {
  return { id: u.id, username: u.displayName, created_at: new Date(u.createdAt).toISOString() };
}

/** Registration and login; a registered username becomes reserved in every chat. */
export class AuthService {
  private readonly users: UserRepository;

  constructor(orm: Orm, private readonly tokens: TokenService) {
    this.users = new Repositories(orm).users;
  }

  async register(username: string, password: string): Promise<{ user: UserView; token: string }> {
    const user = Object.assign(new User(), { username: username.toLowerCase(), displayName: username, passwordHash: await hashPassword(password) });
    try {
      await this.users.insert(user);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw AppError.conflict(`the username ${username} is taken`);
      throw err;
    }
    return { user: toUserView(user), token: await this.tokenFor(user) };
  }

  async login(username: string, password: string): Promise<{ user: UserView; token: string }> {
    const user = await this.users.withPassword(username.toLowerCase());
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !ok) throw AppError.unauthorized('wrong username or password');
    return { user: toUserView(user), token: await this.tokenFor(user) };
  }

  private tokenFor(user: User): Promise<string> {
    return this.tokens.sign({ typ: 'user', sub: user.id, username: user.displayName });
  }
}
