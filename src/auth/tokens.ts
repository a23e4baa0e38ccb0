import { SignJWT, jwtVerify, errors } from 'jose';
import { AppError } from '../errors';

/** A participant's right to act in one chat. */
export interface SessionClaims {
  typ: 'session';
  /** participant id */
  sub: string;
  chat_id: string;
  code: string;
  username: string;
  user_id: string | null;
  host: boolean;
  /** when it was signed: seconds since the epoch, with a fraction (set by `sign`) */
  iat?: number;
}

/** A registered user's identity. */
export interface UserClaims {
  typ: 'user';
  /** user id */
  sub: string;
  username: string;
  /** when it was signed: seconds since the epoch, with a fraction (set by `sign`) */
  iat?: number;
}

export type Claims = SessionClaims | UserClaims;

/** When a user's tokens were last revoked (ms since the epoch), or null: tokens issued before are refused. */
export interface RevocationLookup {
  validAfter(userId: string): Promise<number | null>;
}

/** Signs and verifies session and user tokens (HS256 JWTs keyed by SESSION_SECRET). */
export class TokenService {
  private readonly key: Uint8Array;
  /** Refuses a user's tokens issued before their last logout; none until the app sets it. */
  revocations: RevocationLookup | null = null;

  constructor(
    secret: string,
    private readonly ttl = { session: '30d', user: '7d' },
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: Claims): Promise<string> {
    return (
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        // In ms (a fraction of a second), so a token issued right after a logout is told from one before it.
        .setIssuedAt(Date.now() / 1000)
        .setIssuer('chatpop')
        .setExpirationTime(claims.typ === 'session' ? this.ttl.session : this.ttl.user)
        .sign(this.key)
    );
  }

  /** The claims of a valid token, or unauthorized. */
  async verify(token: string): Promise<Claims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'chatpop', algorithms: ['HS256'] });
      if (payload.typ !== 'session' && payload.typ !== 'user') throw AppError.unauthorized('unknown token type');
      const claims = payload as unknown as Claims;
      await this.assertNotRevoked(claims, payload.iat ?? 0);
      return claims;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof errors.JWTExpired) throw AppError.unauthorized('token expired');
      throw AppError.unauthorized('invalid token');
    }
  }

  /** A registered user's tokens (user and session alike) issued before their last logout are refused. */
  private async assertNotRevoked(claims: Claims, issuedAtSeconds: number): Promise<void> {
    const userId = claims.typ === 'user' ? claims.sub : claims.user_id;
    if (!userId || !this.revocations) return;
    const after = await this.revocations.validAfter(userId);
    if (after !== null && issuedAtSeconds * 1000 < after) throw AppError.unauthorized('token revoked by a logout: log in again');
  }

  async verifySession(token: string): Promise<SessionClaims> {
    const c = await this.verify(token);
    if (c.typ !== 'session') throw AppError.unauthorized('a chat session token is required');
    return c;
  }

  async verifyUser(token: string): Promise<UserClaims> {
    const c = await this.verify(token);
    if (c.typ !== 'user') throw AppError.unauthorized('a user token is required');
    return c;
  }
}
