import Router from '@koa/router';
import type { AuthService } from '../../auth';
import { inputs, RateLimiter } from '../../chat';
import { AppError } from '../../errors';

/** POST /api/auth/register, /api/auth/login. Login is rate-limited per address and per username. */
export function authRoutes(auth: AuthService): Router {
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

  return router;
}
