// Ceiling (3): redis-benchmark (its own C process) against the bench's Redis, for the commands a
// send and a history read cost: ZADD and ZRANGEBYSCORE on a window, EVALSHA of ChatPop's own
// upsert and read-window scripts with a send's arguments, PUBLISH as the socket.io adapter does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { keys } from '../../src/cache/keys';
import { bareMessage, benchContent } from '../load/bare-message';
import { median } from '../harness/stats';

const run = promisify(execFile);
const REDIS_BENCHMARK = ['/usr/bin/redis-benchmark', '/usr/local/bin/redis-benchmark'].find((p) => fs.existsSync(p)) ?? 'redis-benchmark';
// Codes no chat can have (ChatPop draws 8 of A–Z0–9 at random; these are reserved here by convention).
const WINDOW_CODE = 'BENCHWIN';
const WRITE_CODE = 'BENCHWRT';
const WINDOW_SIZE = 500;
const TTL_SECONDS = 3600;

export interface RedisCommandFigure {
  ops_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  runs: number[];
}

export async function measureRedis(
  port: number,
  requests: number,
  repeats: number,
  clients = 50,
): Promise<Record<string, RedisCommandFigure>> {
  const json = JSON.stringify(bareMessage(WRITE_CODE, 1, benchContent('redis __rand_int__')));
  const luaDir = path.join(__dirname, '..', '..', 'src', 'cache', 'lua');
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
  let upsert: string;
  let readWindow: string;
  try {
    upsert = (await redis.script('LOAD', fs.readFileSync(path.join(luaDir, 'upsert-2.lua'), 'utf8'))) as string;
    readWindow = (await redis.script('LOAD', fs.readFileSync(path.join(luaDir, 'read-window-2.lua'), 'utf8'))) as string;
    // A full window to read from, written the way ChatPop writes one.
    const triples: (string | number)[] = [];
    for (let seq = 1; seq <= WINDOW_SIZE; seq++)
      triples.push(seq, seq, JSON.stringify(bareMessage(WINDOW_CODE, seq, benchContent(`w ${seq}`))));
    await redis.evalsha(
      upsert,
      2,
      keys.window(WINDOW_CODE, 'main'),
      keys.meta(WINDOW_CODE),
      'rebuild',
      WINDOW_SIZE,
      TTL_SECONDS,
      'main',
      WINDOW_SIZE,
      ...triples,
    );
  } finally {
    redis.disconnect();
  }

  const commands: Record<string, string[]> = {
    zadd: ['ZADD', keys.window(WRITE_CODE, 'main') + ':zadd', '__rand_int__', json],
    zrangebyscore_50: ['ZRANGEBYSCORE', keys.window(WINDOW_CODE, 'main'), String(WINDOW_SIZE - 49), String(WINDOW_SIZE), 'WITHSCORES'],
    evalsha_upsert_append: [
      'EVALSHA',
      upsert,
      '2',
      keys.window(WRITE_CODE, 'main'),
      keys.meta(WRITE_CODE),
      'append',
      String(WINDOW_SIZE),
      String(TTL_SECONDS),
      'main',
      '0',
      '__rand_int__',
      '1',
      json,
    ],
    evalsha_read_window_50: [
      'EVALSHA',
      readWindow,
      '2',
      keys.window(WINDOW_CODE, 'main'),
      keys.meta(WINDOW_CODE),
      'main',
      'newest',
      '0',
      '50',
    ],
    publish: ['PUBLISH', 'bench:adapter', json],
  };

  const out: Record<string, RedisCommandFigure> = {};
  for (const [name, args] of Object.entries(commands)) {
    const runs: { rps: number; p50: number; p95: number; p99: number }[] = [];
    for (let i = 0; i < repeats; i++) {
      const { stdout } = await run(REDIS_BENCHMARK, [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-c',
        String(clients),
        '-n',
        String(requests),
        '-r',
        '1000000',
        '--csv',
        ...args,
      ]);
      runs.push(parseCsv(stdout));
    }
    const mid = [...runs].sort((a, b) => a.rps - b.rps)[(runs.length - 1) >> 1]!;
    out[name] = {
      ops_per_s: median(runs.map((r) => r.rps)),
      p50_ms: mid.p50,
      p95_ms: mid.p95,
      p99_ms: mid.p99,
      runs: runs.map((r) => r.rps),
    };
  }
  return out;
}

/** redis-benchmark --csv: a header line, then `"test","rps","avg",…,"p50","p95","p99","max"`. */
function parseCsv(stdout: string): { rps: number; p50: number; p95: number; p99: number } {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('"'));
  const header = (lines[0] ?? '').split('","').map((s) => s.replace(/"/g, ''));
  // The test name (our command line) may itself hold commas and quotes: read the numbers from the end.
  const numbers = (lines[1] ?? '').match(/"([\d.]+)"/g)?.map((s) => Number(s.replace(/"/g, ''))) ?? [];
  const tail = numbers.slice(-(header.length - 1));
  const at = (name: string) => tail[header.indexOf(name) - 1] ?? NaN;
  return { rps: Math.round(at('rps')), p50: at('p50_latency_ms'), p95: at('p95_latency_ms'), p99: at('p99_latency_ms') };
}
