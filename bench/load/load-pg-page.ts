// Ceiling for deep history pages, as a child process: the server's own page read (MessageRepository.page,
// the indexed range of one chat channel's seqs, ordered) through a bare `pg` pool, with as many callers
// in flight as autocannon has connections to the route. What PostgreSQL alone answers on this data;
// no HTTP, no cache, no JSON. Command:
//   run {url, chatId, code, lo, hi, callers, connections, seconds} → pages/s, latency percentiles in ms
// The pool stays open between runs (the first run is the caller's warm-up); rows per page are checked.
import pg from 'pg';
import type { QueryConfig, QueryResultRow } from 'pg';
import { MessageRepository, type RawPg } from '../../src/db';
import type { HttpRunResult } from './load-http';
import { summarize } from '../harness/stats';
import { cpuPercent, serveCommands } from './worker-main';

let pool: { url: string; connections: number; pool: pg.Pool } | null = null;

/** A RawPg over a plain pool, in pg's callback form as the server's (src/db/raw-pg.ts). */
function rawPgOver(p: pg.Pool): RawPg {
  return {
    async query<R extends QueryResultRow>(config: QueryConfig): Promise<R[]> {
      const conn = await p.connect();
      try {
        return await new Promise<R[]>((resolve, reject) =>
          conn.query<R>(config, (err, result) => (err ? reject(err) : resolve(result.rows))),
        );
      } finally {
        conn.release();
      }
    },
  };
}

function poolFor(url: string, connections: number): pg.Pool {
  if (pool?.url !== url || pool.connections !== connections) {
    void pool?.pool.end();
    pool = { url, connections, pool: new pg.Pool({ connectionString: url, max: connections }) };
  }
  return pool.pool;
}

async function run(args: {
  url: string;
  chatId: string;
  code: string;
  lo: number;
  hi: number;
  callers: number;
  connections: number;
  seconds: number;
}): Promise<HttpRunResult> {
  // page() without replicas is the single range statement the server runs for a page below the window.
  const repo = new MessageRepository(undefined as never, rawPgOver(poolFor(args.url, args.connections)));
  const chat = { id: args.chatId, code: args.code };
  const want = args.hi - args.lo + 1;
  const latencies: number[] = [];
  let wrong = 0;
  let errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const ends = started + args.seconds * 1000;
  await Promise.all(
    Array.from({ length: args.callers }, async () => {
      while (performance.now() < ends) {
        const t = performance.now();
        try {
          const { rows } = await repo.page(chat, 'main', args.lo, args.hi);
          // PostgreSQL answers the rows as the JSON text the route sends (`text`); `fields` elsewhere.
          const got = 'text' in rows ? rows.text.length : rows.fields.length;
          if (got === want) latencies.push(performance.now() - t);
          else wrong++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const lat = summarize(latencies);
  return {
    requests_per_s: Math.round(latencies.length / seconds),
    latency_ms: { p50: lat.p50, p95: lat.p95, p99: lat.p99, mean: lat.mean, max: lat.max },
    requests: latencies.length + wrong + errors,
    non_2xx: wrong,
    errors,
    timeouts: 0,
    bytes_per_s: 0,
    cpu_pct: cpuPercent(cpu, seconds * 1000),
  };
}

serveCommands({ run }, async () => {
  await pool?.pool.end();
});
