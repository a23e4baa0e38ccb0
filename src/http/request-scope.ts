import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Next } from 'koa';

const scope = new AsyncLocalStorage<Context>();

/**
 * Marks the async context of each HTTP request, so work done while serving one can be told from
 * background work (the query-count tests rely on it). It replaces a MikroORM RequestContext per
 * request: every unit of work forks its own EntityManager anyway (`forkEm`), and that fork was
 * about a tenth of a cached history read.
 */
export function requestScope(ctx: Context, next: Next): Promise<void> {
  return scope.run(ctx, next);
}

/** The request the running code serves, if any. */
export function currentRequest(): Context | undefined {
  return scope.getStore();
}
