import Router from '@koa/router';
import type { CacheEngine } from '../../cache';
import type { ChatServices } from '../../chat';
import type { Orm, SchemaWatch } from '../../db';
import { AppError } from '../../errors';
import { requireAdmin } from '../auth-middleware';
import type { Body } from '../responses';

const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([p.catch(() => fallback), new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);

/** Probes whether the database answers a trivial query. */
export async function databaseUp(orm: Orm, timeoutMs = 2000): Promise<boolean> {
  return withTimeout(
    orm.em
      .getConnection()
      .execute('select 1')
      .then(() => true),
    timeoutMs,
    false,
  );
}

/** /health (liveness), /ready (database answers, its schema current), /cache/stats (admin). */
export function opsRoutes(deps: { orm: Orm; schema: SchemaWatch; cache: CacheEngine; chat: ChatServices; adminToken?: string }): Router {
  const router = new Router();

  router.get('/health', async (ctx) => {
    const [db, cache] = await Promise.all([databaseUp(deps.orm), withTimeout(deps.cache.ping(), 2000, false)]);
    ctx.body = {
      status: db && cache ? 'ok' : 'degraded',
      db: db ? 'ok' : 'down',
      cache: cache ? 'ok' : 'down',
      cache_engine: deps.cache.kind,
    } satisfies Body<'Health'>;
  });

  router.get('/ready', async (ctx) => {
    const down = () => AppError.unavailable('the database does not answer');
    if (!(await databaseUp(deps.orm))) throw down();
    if (!(await deps.schema.isCurrent().catch(() => Promise.reject(down())))) {
      // A pod whose migrate hook was skipped or failed would answer 500s: it takes no traffic.
      ctx.status = 503;
      ctx.body = {
        status: 'not_ready',
        reason: 'pending migrations',
        error: { code: 'unavailable', message: 'the database schema is behind this code: run `migrate up`' },
      } satisfies Body<'NotReady'>;
      return;
    }
    ctx.body = { status: 'ready' } satisfies Body<'Ready'>;
  });

  router.get('/cache/stats', requireAdmin(deps.adminToken), async (ctx) => {
    ctx.body = {
      engine: deps.cache.kind,
      reachable: await deps.cache.ping(),
      repair_queue: await deps.chat.repair.stats(),
    } satisfies Body<'CacheStats'>;
  });

  return router;
}
