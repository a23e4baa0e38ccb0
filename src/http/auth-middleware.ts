import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { SessionClaims, TokenService, UserClaims } from '../auth';
import { AppError } from '../errors';

export interface AuthState {
  session?: SessionClaims;
  user?: UserClaims;
}

export function bearer(ctx: Context): string | null {
  const h = ctx.get('authorization');
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1] : null;
}

/** The request's chat session token, verified; a missing one is refused as missing. */
export async function sessionOf(ctx: Context, tokens: TokenService): Promise<SessionClaims> {
  const token = bearer(ctx);
  if (!token) throw AppError.unauthorized('a session token is required (Authorization: Bearer …)');
  return tokens.verifySession(token);
}

/** Requires a chat session token. */
export function requireSession(tokens: TokenService) {
  return async (ctx: Context, next: Next) => {
    (ctx.state as AuthState).session = await sessionOf(ctx, tokens);
    await next();
  };
}

/** Requires a registered user's token. */
export function requireUser(tokens: TokenService) {
  return async (ctx: Context, next: Next) => {
    const token = bearer(ctx);
    if (!token) throw AppError.unauthorized('a user token is required (Authorization: Bearer …)');
    (ctx.state as AuthState).user = await tokens.verifyUser(token);
    await next();
  };
}

/** Reads a user or session token when one is sent; a bad one is still refused. */
export function optionalClaims(tokens: TokenService) {
  return async (ctx: Context, next: Next) => {
    const token = bearer(ctx);
    if (token) {
      const claims = await tokens.verify(token);
      if (claims.typ === 'user') (ctx.state as AuthState).user = claims;
      else (ctx.state as AuthState).session = claims;
    }
    await next();
  };
}

/** Reads a user token when one is sent; a bad one is still refused. */
export function optionalUser(tokens: TokenService) {
  return async (ctx: Context, next: Next) => {
    const token = bearer(ctx);
    if (token) (ctx.state as AuthState).user = await tokens.verifyUser(token);
    await next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** What the audit log names a staff member by: the first 12 hex digits of the admin token's SHA-256, never the token. */
export const tokenFingerprint = (token: string): string => `sha256:${digest(token).toString('hex').slice(0, 12)}`;

/** Set by requireAdmin for the handlers' audit lines. */
export interface AdminState {
  adminFingerprint?: string;
}

/** Staff-only routes: 503 when ADMIN_TOKEN is unset, 401 without a token, 403 with a wrong one. */
export function requireAdmin(adminToken: string | undefined) {
  const expected = adminToken ? digest(adminToken) : null;
  return async (ctx: Context, next: Next) => {
    if (!expected) throw AppError.adminDisabled();
    const token = bearer(ctx);
    if (!token) throw AppError.unauthorized('the admin token is required (Authorization: Bearer …)');
    if (!timingSafeEqual(digest(token), expected)) {
      throw AppError.forbidden("wrong admin token: it is not this server's ADMIN_TOKEN (mistyped, stale, or from another environment)");
    }
    (ctx.state as AdminState).adminFingerprint = tokenFingerprint(token);
    await next();
  };
}
