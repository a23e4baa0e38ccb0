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
}

/** A registered user's identity. */
export interface UserClaims {
  typ: 'user';
  /** user id */
  sub: string;
  username: string;
}

export type Claims = SessionClaims | UserClaims;

/** Signs and verifies session and user tokens (HS256 JWTs keyed by SESSION_SECRET). */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly ttl = { session: '30d', user: '7d' }) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: Claims): Promise<string> {
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setIssuer('chatpop')
      .setExpirationTime(claims.typ === 'session' ? this.ttl.session : this.ttl.user)
      .sign(this.key);
  }

  /** The claims of a valid token, or unauthorized. */
  async verify(token: string): Promise<Claims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'chatpop', algorithms: ['HS256'] });
      if (payload.typ !== 'session' && payload.typ !== 'user') throw AppError.unauthorized('unknown token type');
      return payload as unknown as Claims;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof errors.JWTExpired) throw AppError.unauthorized('token expired');
      throw AppError.unauthorized('invalid token');
    }
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
