#!/usr/bin/env node
// monitor — every pod's monitoring data in a terminal (docs/contract.md "Command-line jobs").
// Thin: parse flags, read the pods' snapshots (src/monitoring), print.
import { InvalidArgumentError } from 'commander';
import type { RedisEngine } from '../src/cache';
// The two modules it needs, not src/monitoring's index: that one also loads MikroORM (the settings
// store's entity) and prom-client, which a terminal view has no use for.
/* eslint-disable no-restricted-imports -- see above */
import { readClusterView, renderClusterView, type TerminalView } from '../src/monitoring/terminal-view';
import { RedisSnapshotBoard } from '../src/monitoring/snapshot-board';
/* eslint-enable no-restricted-imports */
import {
  EXIT,
  OpsContext,
  causeText,
  chatCodeArg,
  createOutput,
  createProgram,
  jobConfig,
  positiveInt,
  printable,
  printableDoc,
  runJob,
} from '../src/ops';

interface Flags {
  chat?: string;
  interval: number;
  limit: number;
  once?: boolean;
  json?: boolean;
}

/** @default 2 seconds between refreshes, as the pods publish */
const DEFAULT_INTERVAL_S = 2;

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.5 || n > 3600) throw new InvalidArgumentError('must be a number of seconds from 0.5 to 3600');
  return n;
}

const program = createProgram(
  'monitor',
  "ChatPop monitor: every pod's cache and database operations, from the snapshots they publish to Redis.",
)
  .option('--chat <code>', 'only the events of this chat', chatCodeArg)
  .option('--interval <seconds>', 'refresh every this many seconds', seconds, DEFAULT_INTERVAL_S)
  .option('--limit <n>', 'events listed in text output', positiveInt, 20)
  .option('--once', 'print one view and exit')
  .option('--json', 'JSON instead of text: one document with --once, else one line per refresh')
  .addHelpText('after', '\nExit codes: 0 done (also on Ctrl+C), 1 failure (e.g. Redis unreachable), 2 usage error.')
  .parse();

const flags = program.opts<Flags>();
const out = createOutput();
// Redraw in place on a terminal; pipes and logs get one frame after another.
const redraw = Boolean(process.stdout.isTTY) && !flags.json && !flags.once;
let ctx: OpsContext | undefined;

function print(view: TerminalView): void {
  if (flags.json) return out.json(view, !flags.once);
  const lines = renderClusterView(printableDoc(view), {
    style: out.style,
    intervalSeconds: flags.once ? undefined : flags.interval,
    events: flags.limit,
  });
  if (redraw) process.stdout.write('\x1b[H\x1b[2J');
  else if (!flags.once) lines.push('');
  out.lines(lines);
}

async function main(): Promise<number> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  ctx = new OpsContext(jobConfig());
  // Without Redis no pod's data can reach this process: one empty view with a note says so.
  const board = ctx.cacheKind === 'redis' ? new RedisSnapshotBoard(((await ctx.cache()) as RedisEngine).client) : null;
  const options = { chat: flags.chat, limit: flags.json ? 1000 : flags.limit };
  print(await readClusterView(board, options));
  if (flags.once || !board) return EXIT.ok;
  while (!(await sleep(flags.interval * 1000, stop.signal))) {
    try {
      print(await readClusterView(board, options));
    } catch (err) {
      // A Redis hiccup is shown and retried; the operator stops with Ctrl+C.
      if (flags.json) out.json({ taken_at: new Date().toISOString(), error: causeText(err) }, true);
      else out.lines(out.style.red(`Redis did not answer: ${printable(causeText(err))}; retrying every ${flags.interval} s`));
    }
  }
  return EXIT.ok;
}

/** Resolves true when aborted (Ctrl+C), false when the time is up. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), ms);
    const onAbort = () => done(true);
    signal.addEventListener('abort', onAbort, { once: true });
    function done(aborted: boolean) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(aborted);
    }
  });
}

runJob('monitor', main, async () => ctx?.close());
