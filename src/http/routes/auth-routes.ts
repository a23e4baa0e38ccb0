import Router from '@koa/router';
import type { AuthService } from '../../auth';
import { inputs, RateLimiter } from '../../chat';
import { usernameKey } from '../../domain';
import { AppError } from '../../errors';
import { LoginThrottle } from '../login-throttle';

/** POST /api/auth/register, /api/auth/login. Register is rate-limited per address; login as LoginThrottle says. */
export function authRoutes(auth: AuthService): Router {
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

  return router;
}
