// Ceiling (5) for deep history pages, and what the replica path reports: the server's own page
// statement through a bare pg pool (bench/load/load-pg-page.ts) as a target that takes its turns with
// the route's autocannon runs in measureHttp, and the read-replica counters of a server's /metrics.
import type { Watched } from '../harness/cpu';
import type { HttpRunResult } from '../load/load-http';
import { startWorker } from '../load/workers';
import { queryDatabase } from '../../test/support/postgres';
import { ApiClient } from '../../test/support/api-client';
import { parsePrometheus, sampleValue } from '../../test/support/prometheus';
import type { HttpTarget } from './http-bench';

/** The ceiling's pg connections: the server's pool size (src/db/orm.ts, `pool.max`). */
export const DEEP_PG_CONNECTIONS = 20;

export interface PgPageTarget {
  target: Exclude<HttpTarget, string>;
  close(): Promise<void>;
}

/** The page of seqs `lo`–`hi` of chat `code` through pg, `callers` at a time; `close` when done. */
export async function pgPageTarget(
  dbUrl: string,
  page: { code: string; lo: number; hi: number; callers: number },
  watch: (w: Watched) => () => void,
): Promise<PgPageTarget> {
  const [chat] = await queryDatabase<{ id: string }>(dbUrl, 'select id from chats where code = $1', [page.code]);
  if (!chat) throw new Error(`no chat ${page.code} in the database`);
  const worker = startWorker('load-pg-page');
  const unwatch = watch({
    role: 'load: pg page client',
    pid: worker.pid,
    what: 'node dist/bench/load/load-pg-page.js: the page statement through pg (deep-page ceiling)',
  });
  return {
    target: {
      url: `pg: the page statement, seqs ${page.lo}–${page.hi}, ${page.callers} callers over ${DEEP_PG_CONNECTIONS} connections`,
      run: (seconds) =>
        worker.call<HttpRunResult>('run', { url: dbUrl, chatId: chat.id, ...page, connections: DEEP_PG_CONNECTIONS, seconds }),
    },
    close: async () => {
      await worker.close();
      unwatch();
    },
  };
}

export interface ReplicaReads {
  served: number;
  lagging: number;
  failed: number;
}

/** A server's read-replica answers so far, from its /metrics (chatpop_db_replica_reads_total by result). */
export async function replicaReads(serverUrl: string): Promise<ReplicaReads> {
  const metrics = parsePrometheus((await new ApiClient(serverUrl).get<string>('/metrics')).body).samples;
  const reads = (result: string) => sampleValue(metrics, 'chatpop_db_replica_reads_total', { result }) ?? 0;
  return { served: reads('served'), lagging: reads('lagging'), failed: reads('failed') };
}
