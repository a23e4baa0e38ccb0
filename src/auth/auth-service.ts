import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Repositories, type Orm, type UserRepository } from '../db';
import { isReservedUsername, User, usernameKey } from '../domain';
import { AppError } from '../errors';
import { PasswordHasher } from './passwords';
import type { RevocationLookup, TokenService, UserClaims } from './tokens';

/** Where logout records a revocation (src/users/token-revocations.ts). */
export interface TokenRevoker extends RevocationLookup {
  /** Revokes every token of the user issued until now. */
  revoke(userId: string): Promise<void>;
}

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

  constructor(
    orm: Orm,
    private readonly tokens: TokenService,
    private readonly revocations: TokenRevoker,
    private readonly passwords = new PasswordHasher(),
  ) {
    this.users = new Repositories(orm).users;
  }

  async register(username: string, password: string): Promise<{ user: UserView; token: string }> {
    const key = usernameKey(username);
    if (isReservedUsername(key)) throw AppError.forbidden(`the username ${username} is reserved for the service`);
    const user = Object.assign(new User(), { username: key, displayName: username, passwordHash: await this.passwords.hash(password) });
    try {
      await this.users.insert(user);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw AppError.conflict(`the username ${username} is taken`);
      throw err;
    }
    return { user: toUserView(user), token: await this.tokenFor(user) };
  }

  async login(username: string, password: string): Promise<{ user: UserView; token: string }> {
    const user = await this.users.withPassword(usernameKey(username));
    const ok = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !ok) throw AppError.unauthorized('wrong username or password');
    return { user: toUserView(user), token: await this.tokenFor(user) };
  }

  /** A new token for the holder of a valid one (which stays valid until it expires or a logout). */
  async refresh(claims: UserClaims): Promise<{ user: UserView; token: string }> {
    const user = await this.users.byId(claims.sub);
    if (!user) throw AppError.unauthorized('the user no longer exists');
    return { user: toUserView(user), token: await this.tokenFor(user) };
  }

  /** Revokes every token of the user issued until now: user and session tokens, on every device. */
  logout(claims: UserClaims): Promise<void> {
    return this.revocations.revoke(claims.sub);
  }

  private tokenFor(user: User): Promise<string> {
    return this.tokens.sign({ typ: 'user', sub: user.id, username: user.displayName });
  }
}
