// Ceiling (4): raw inserts of message rows through `pg`, in the load-pg child process: one row per
// statement on one connection, the same on 8 connections at once, and multi-row statements.
import type { Watched } from '../harness/cpu';
import type { PgRunResult } from '../load/load-pg';
import { median } from '../harness/stats';
import { startWorker } from '../load/workers';

export interface PgFigures {
  insert_loop_rows_per_s: number;
  insert_loop_8conn_rows_per_s: number;
  batched_insert_rows_per_s: number;
  batch_size: number;
  runs: Record<string, number[]>;
}

const BATCH = 100;

export async function measurePg(url: string, rows: number, repeats: number, watch: (w: Watched) => () => void): Promise<PgFigures> {
  const worker = startWorker('load-pg');
  const unwatch = watch({ role: 'load: pg client', pid: worker.pid, what: 'node dist/bench/load/load-pg.js: raw pg inserts (ceiling 4)' });
  try {
    await worker.call('prepare', { url });
    const runs: Record<string, number[]> = { loop: [], loop8: [], batched: [] };
    // Interleaved, so a noisy moment on the machine does not land on one variant only.
    for (let i = 0; i < repeats; i++) {
      runs.loop!.push((await worker.call<PgRunResult>('loop', { url, rows, connections: 1 })).rows_per_s);
      runs.loop8!.push((await worker.call<PgRunResult>('loop', { url, rows, connections: 8 })).rows_per_s);
      runs.batched!.push((await worker.call<PgRunResult>('batched', { url, rows, batch: BATCH })).rows_per_s);
    }
    return {
      insert_loop_rows_per_s: median(runs.loop!),
      insert_loop_8conn_rows_per_s: median(runs.loop8!),
      batched_insert_rows_per_s: median(runs.batched!),
      batch_size: BATCH,
      runs,
    };
  } finally {
    await worker.close();
    unwatch();
  }
}
