import type { Em, Orm } from '../orm';
import { forkEm } from '../entity-manager';

/** A unit of work: a transaction's EntityManager, passed back into repository calls made inside it. */
export type Tx = Em;

/** The repositories' shared access to the ORM: a fresh EntityManager per call, or the caller's transaction. */
export class Db {
  /** `distributed`: the database is split by chat (Citus), so no statement may span chats. */
  constructor(
    readonly orm: Orm,
    readonly distributed = false,
  ) {}

  em(tx?: Tx): Em {
    return tx ?? forkEm(this.orm);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return forkEm(this.orm).transactional(fn);
  }
}
