import Koa from 'koa';
import type Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { AuthService, TokenService } from '../auth';
import type { CacheEngine } from '../cache';
import type { ChatServices } from '../chat';
import type { Orm, SchemaWatch } from '../db';
import type { Logger } from '../logger';
import { AppError } from '../errors';
import { errorMiddleware } from './error-middleware';
import { requestScope } from './request-scope';
import { authRoutes } from './routes/auth-routes';
import { chatRoutes, type JoinLimits } from './routes/chat-routes';
import { opsRoutes } from './routes/ops-routes';

/** Request bodies above this are refused with 413 before parsing. @default '64kb' */
export const BODY_LIMIT = '64kb';

export interface HttpDeps {
  orm: Orm;
  /** whether the schema is current, for /ready */
  schema: SchemaWatch;
  cache: CacheEngine;
  chat: ChatServices;
  auth: AuthService;
  tokens: TokenService;
  log: Logger;
  adminToken?: string;
  /** proxies in front that append to X-Forwarded-For (Config.proxyHops) @default 0 */
  proxyHops?: number;
  /** chat joins per address and per chat (Config.joinLimits) @default 30 and 300 a minute */
  joinLimits?: JoinLimits;
  /** extra routers (monitoring, users, …) mounted after the core ones */
  extraRouters?: Router[];
  /** middleware mounted before everything else, so it sees every request's final status (metrics) */
  outerMiddleware?: Koa.Middleware[];
}

export function createHttpApp(deps: HttpDeps): Koa {
  // ctx.ip: the address the outermost trusted proxy saw (X-Forwarded-For counted from the right),
  // so a client cannot pick its own rate-limit bucket by sending the header itself.
  const hops = deps.proxyHops ?? 0;
  const app = new Koa(hops > 0 ? { proxy: true, maxIpsCount: hops } : { proxy: false });
  app.silent = true; // errors are logged by the error middleware, once
  for (const mw of deps.outerMiddleware ?? []) app.use(mw);
  app.use(errorMiddleware(deps.log));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  // A body in another type would be ignored, and the route would then report its fields missing.
  app.use(async (ctx, next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json', '+json'))
      throw AppError.invalidInput('send the body as JSON (Content-Type: application/json)');
    await next();
  });
  app.use(
    bodyParser({ enableTypes: ['json'], jsonLimit: BODY_LIMIT, encoding: 'utf-8', parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] }),
  );
  app.use(requestScope);
  // The chat routes first: history pages are the hottest requests, and every router a request passes
  // on its way costs a match over that router's routes. No two routers serve the same path.
  const routers = [
    chatRoutes(deps.chat, deps.tokens, deps.joinLimits),
    opsRoutes({ orm: deps.orm, schema: deps.schema, cache: deps.cache, chat: deps.chat, adminToken: deps.adminToken }),
    authRoutes(deps.auth, deps.tokens),
    ...(deps.extraRouters ?? []),
  ];
  for (const r of routers) app.use(r.routes()).use(r.allowedMethods());
  return app;
}
