import Router from '@koa/router';
import type { AuthService, TokenService } from '../../auth';
import { inputs, RateLimiter } from '../../chat';
import { AppError } from '../../errors';
import { requireUser, type AuthState } from '../auth-middleware';

/**
 * POST /api/auth/register, /login, /refresh, /logout. Register and login are rate-limited per address
 * (login also per username); refresh and logout need a valid user token.
 */
export function authRoutes(auth: AuthService, tokens: TokenService): Router {
  const router = new Router({ prefix: '/api/auth' });
  const attempts = new RateLimiter(10, 60);

  router.post('/register', async (ctx) => {
    const wait = attempts.take(`register:${ctx.ip}`);
    if (wait) throw AppError.rateLimited(wait);
    const { username, password } = inputs.parseInput(inputs.credentialsInput, ctx.request.body);
    ctx.status = 201;
    ctx.body = await auth.register(username, password);
  });

  router.post('/login', async (ctx) => {
    const { username, password } = inputs.parseInput(inputs.credentialsInput, ctx.request.body);
    const wait = Math.max(attempts.take(`login-ip:${ctx.ip}`), attempts.take(`login-user:${username.toLowerCase()}`));
    if (wait) throw AppError.rateLimited(wait);
    ctx.body = await auth.login(username, password);
  });

  router.post('/refresh', requireUser(tokens), async (ctx) => {
    ctx.body = await auth.refresh((ctx.state as AuthState).user!);
  });

  /** 204: every token of the user issued before now is refused from now on. */
  router.post('/logout', requireUser(tokens), async (ctx) => {
    await auth.logout((ctx.state as AuthState).user!);
    ctx.status = 204;
  });

  return router;
}
