import Router from '@koa/router';
import type { AuthService, TokenService } from '../../auth';
import { inputs, RateLimiter } from '../../chat';
import { usernameKey } from '../../domain';
import { AppError } from '../../errors';
import { requireUser, type AuthState } from '../auth-middleware';
import { LoginThrottle } from '../login-throttle';

/**
 * POST /api/auth/register, /login, /refresh, /logout. Register is rate-limited per address, login as
 * LoginThrottle says; refresh and logout need a valid user token.
 */
export function authRoutes(auth: AuthService, tokens: TokenService): Router {
  const router = new Router({ prefix: '/api/auth' });
  const attempts = new RateLimiter(10, 60);
  const logins = new LoginThrottle();

  router.post('/register', async (ctx) => {
    const wait = attempts.take(`register:${ctx.ip}`);
    if (wait) throw AppError.rateLimited(wait);
    const { username, password } = inputs.parseInput(inputs.credentialsInput, ctx.request.body);
    ctx.status = 201;
    ctx.body = await auth.register(username, password);
  });

  router.post('/login', async (ctx) => {
    const { username, password } = inputs.parseInput(inputs.credentialsInput, ctx.request.body);
    const key = usernameKey(username);
    const wait = logins.admit(key, ctx.ip);
    if (wait) throw AppError.rateLimited(wait);
    try {
      ctx.body = await auth.login(username, password);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized') logins.failed(key, ctx.ip);
      throw err;
    }
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
