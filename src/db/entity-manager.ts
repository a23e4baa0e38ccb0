import type { Em, Orm } from './orm';

/** A fresh EntityManager for one unit of work (each has its own identity map). */
export function forkEm(orm: Orm): Em {
  return orm.em.fork() as Em;
}
