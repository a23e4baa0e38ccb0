// Ceiling (4), as a child process: raw `pg` inserts of message rows into a copy of the messages table
// (same columns, defaults, indexes and unique constraints), one statement per row versus multi-row
// statements. Commands:
//   prepare {url}                          creates bench_messages LIKE messages
//   loop {url, rows, connections}          INSERT one row per statement (autocommit), per connection in turn
//   batched {url, rows, batch}             INSERT `batch` rows per statement on one connection
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { benchContent } from './bare-message';
import { cpuPercent, serveCommands } from './worker-main';

const COLUMNS = [
  'id',
  'chat_id',
  'channel',
  'seq',
  'version',
  'participant_id',
  'username',
  'username_is_reserved',
  'user_id',
  'content',
  'message_type',
  'client_id',
  'reactions',
  'created_at',
  'deleted',
];
const chatId = randomUUID();
const participantId = randomUUID();
let seq = 0;

export interface PgRunResult {
  rows: number;
  rows_per_s: number;
  seconds: number;
  cpu_pct: number;
}

function row(): unknown[] {
  seq++;
  return [
    randomUUID(),
    chatId,
    'main',
    seq,
    seq,
    participantId,
    'bench',
    false,
    null,
    benchContent(`pg ${seq}`),
    'normal',
    randomUUID(),
    '{}',
    new Date(),
    false,
  ];
}

function insertSql(rows: number): string {
  const values: string[] = [];
  for (let r = 0; r < rows; r++) values.push(`(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
  return `insert into bench_messages (${COLUMNS.join(', ')}) values ${values.join(', ')}`;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function prepare(args: { url: string }) {
  await withClient(args.url, (c) => c.query('create table if not exists bench_messages (like messages including all)'));
  return {};
}

async function timed(fn: () => Promise<number>): Promise<PgRunResult> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const rows = await fn();
  const ms = performance.now() - started;
  return { rows, rows_per_s: Math.round((rows * 1000) / ms), seconds: ms / 1000, cpu_pct: cpuPercent(cpu, ms) };
}

async function loop(args: { url: string; rows: number; connections: number }): Promise<PgRunResult> {
  const clients = await Promise.all(
    Array.from({ length: args.connections }, async () => {
      const c = new Client({ connectionString: args.url });
      await c.connect();
      return c;
    }),
  );
  try {
    const text = insertSql(1);
    let left = args.rows;
    return await timed(async () => {
      await Promise.all(
        clients.map(async (c) => {
          while (left > 0) {
            left--;
            await c.query({ name: 'insert-1', text, values: row() });
          }
        }),
      );
      return args.rows;
    });
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function batched(args: { url: string; rows: number; batch: number }): Promise<PgRunResult> {
  return withClient(args.url, (c) => {
    const text = insertSql(args.batch);
    return timed(async () => {
      for (let done = 0; done < args.rows; done += args.batch) {
        const values: unknown[] = [];
        for (let r = 0; r < args.batch; r++) values.push(...row());
        await c.query({ name: `insert-${args.batch}`, text, values });
      }
      return Math.ceil(args.rows / args.batch) * args.batch;
    });
  });
}

serveCommands({ prepare, loop, batched });
