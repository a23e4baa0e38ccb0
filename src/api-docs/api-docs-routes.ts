import Router from '@koa/router';
import { buildAsyncApi } from './asyncapi';
import { buildOpenApi } from './openapi';

/** `GET /api/openapi.json` and `GET /api/asyncapi.json`: built from the schemas on first request, then kept. */
export function apiDocsRoutes(): Router {
  const router = new Router({ prefix: '/api' });
  let openapi: string | undefined;
  let asyncapi: string | undefined;
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi ??= JSON.stringify(buildOpenApi());
  });
  router.get('/asyncapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = asyncapi ??= JSON.stringify(buildAsyncApi());
  });
  return router;
}
