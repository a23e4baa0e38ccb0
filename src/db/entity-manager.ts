import { RequestContext } from '@mikro-orm/core';
import type { Em, Orm } from './orm';

/** A fresh EntityManager for one unit of work: forked from the request's when there is one. */
export function forkEm(orm: Orm): Em {
  return ((RequestContext.getEntityManager() as Em | undefined) ?? orm.em).fork() as Em;
}
