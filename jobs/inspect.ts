#!/usr/bin/env node
// inspect — the cache inspector (docs/contract.md "Command-line jobs"). Thin: parse, call src/ops, print.
import { InvalidArgumentError } from 'commander';
import {
  CacheInspector,
  EXIT,
  MONITOR_INTERVAL_MS,
  OpsContext,
  OpsError,
  WindowMonitor,
  chatCodeArg,
  confirm,
  createOutput,
  createProgram,
  inspectText as text,
  type ListSort,
  jobConfig,
  positiveInt,
  runJob,
  runMonitor,
  uuidArg,
} from '../src/ops';

interface Flags {
  list?: boolean;
  pattern?: string;
  sort?: Exclude<ListSort, 'key'>;
  chat?: string;
  showMessages?: boolean;
  showReactions?: boolean;
  limit?: number;
  compare?: boolean;
  repair?: boolean;
  message?: string;
  clear?: boolean;
  force?: boolean;
  monitor?: boolean;
  stats?: boolean;
  json?: boolean;
}

/** @default 20 messages for --show-messages / --show-reactions */
const DEFAULT_LIMIT = 20;

function globArg(value: string): string {
  if (!value.trim() || value.length > 256) throw new InvalidArgumentError('must be a key glob of 1 to 256 characters');
  return value;
}

function sortArg(value: string): Exclude<ListSort, 'key'> {
  if (value !== 'size' && value !== 'memory' && value !== 'idle') throw new InvalidArgumentError('must be size, memory or idle');
  return value;
}

const program = createProgram('inspect', 'ChatPop cache inspector: what Redis holds, compared with the database.')
  .option('--list', 'chat cache keys with type, member count, TTL, memory (MEMORY USAGE) and idle time')
  .option('--pattern <glob>', "with --list: the keys to list, a SCAN glob (default 'chat:{*}:*'; 'user:{*}:*' for user state)", globArg)
  .option(
    '--sort <order>',
    'with --list: size, memory or idle (largest, most memory, longest idle first; default by chat and key)',
    sortArg,
  )
  .option('--chat <code>', 'one chat: windows, pins and reaction caches', chatCodeArg)
  .option('--show-messages', 'with --chat: the newest messages of the main window')
  .option('--show-reactions', 'with --chat: the reaction caches of the newest messages')
  .option(
    '--limit <n>',
    `how many --show-messages / --show-reactions list (default ${DEFAULT_LIMIT}), or --list lists (default all)`,
    positiveInt,
  )
  .option('--compare', 'with --chat: database vs cache, seq by seq; exit 3 when out of sync')
  .option('--repair', "with --chat: rebuild the chat's windows and pins from the database")
  .option('--message <id>', 'where a message is: database row and cache keys', uuidArg)
  .option('--clear', "with --chat: delete the chat's cache keys (history stays in the database)")
  .option('--force', 'with --clear: do not ask (required without a terminal)')
  .option(
    '--monitor',
    `with --chat: a line every ${MONITOR_INTERVAL_MS / 1000} s with count and TTL, marking new and deleted messages; Ctrl+C stops`,
  )
  .option('--stats', 'totals across all chats')
  .option('--json', 'print one JSON document instead of text')
  .addHelpText('after', '\nExit codes: 0 done, 1 failure, 2 usage error, 3 --compare found the cache out of sync.')
  .parse();

const flags = program.opts<Flags>();
const usage = (message: string): never => program.error(`error: ${message}`, { exitCode: EXIT.usage });

const actions = (['list', 'stats', 'message', 'compare', 'repair', 'clear', 'monitor'] as const).filter((a) => flags[a] !== undefined);
const showing = Boolean(flags.showMessages || flags.showReactions);
const combined = actions.length === 2 && flags.repair && flags.compare;
if (actions.length > 1 && !combined) usage(`choose one of --${actions.join(', --')} (only --repair and --compare go together)`);
if (!actions.length && !flags.chat) usage('nothing to do: give --list, --stats, --chat CODE, or --message ID');
for (const needsChat of ['compare', 'repair', 'clear', 'monitor'] as const) {
  if (flags[needsChat] && !flags.chat) usage(`--${needsChat} needs --chat CODE`);
}
if (showing && (!flags.chat || actions.length)) usage('--show-messages and --show-reactions go with --chat CODE alone');
if (flags.force && !flags.clear) usage('--force goes with --clear');
if (flags.limit !== undefined && !showing && !flags.list) usage('--limit goes with --list, --show-messages or --show-reactions');
if ((flags.pattern !== undefined || flags.sort !== undefined) && !flags.list) usage('--pattern and --sort go with --list');

const out = createOutput();
const code = flags.chat!;
let ctx: OpsContext | undefined;

async function main(): Promise<number> {
  ctx = new OpsContext(jobConfig());
  const inspector = new CacheInspector(ctx);
  if (flags.list) {
    const r = await inspector.list({ pattern: flags.pattern, limit: flags.limit, sort: flags.sort });
    out.report(flags.json, r, (x) => text.renderList(x, out.style));
    return EXIT.ok;
  }
  if (flags.stats) {
    const r = await inspector.stats();
    out.report(flags.json, r, (x) => text.renderStats(x, out.style));
    return EXIT.ok;
  }
  if (flags.message) {
    const r = await inspector.message(flags.message, flags.chat);
    out.report(flags.json, r, text.renderMessage);
    // Found nowhere is a failed lookup, so scripts can test for it.
    return r.database.found || r.cache.length ? EXIT.ok : EXIT.failure;
  }
  if (flags.repair || flags.compare) {
    const repair = flags.repair ? await inspector.repair(code) : undefined;
    const compare = flags.compare ? await inspector.compare(code) : undefined;
    if (flags.json) out.json(repair && compare ? { repair, compare } : (repair ?? compare));
    else {
      if (repair) out.text(repair, text.renderRepair);
      if (compare) out.text(compare, (c) => text.renderCompare(c, out.style));
    }
    // As --chat for a chat that is nowhere: nothing was compared, so nothing is "in sync".
    if (compare && !compare.in_database && compare.channels.every((c) => c.status === 'not_cached')) {
      throw new OpsError(`chat ${code} is in neither the database nor the cache`);
    }
    return compare && !compare.in_sync ? EXIT.outOfSync : EXIT.ok;
  }
  if (flags.clear) {
    const plan = await inspector.clearPlan(code);
    if (!flags.json) out.text(plan, text.renderClearPlan);
    if (plan.keys.length) {
      await confirm(`Delete these ${plan.keys.length} keys?`, {
        force: Boolean(flags.force),
        action: `delete ${plan.keys.length} cache keys of chat ${code}`,
      });
      await inspector.clear(code);
    }
    if (flags.json) out.json({ ...plan, deleted: plan.keys.length });
    else if (plan.keys.length) out.text(plan, text.renderCleared);
    return EXIT.ok;
  }
  if (flags.monitor) {
    const monitor = new WindowMonitor(ctx, code);
    const info = await inspector.engineInfo();
    if (!flags.json)
      out.text(info, (i) => [...text.engineLines(i), `monitoring ${monitor.key} every ${MONITOR_INTERVAL_MS / 1000} s; Ctrl+C stops`]);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    // --json: one JSON document per sample, one per line.
    const samples = await runMonitor(
      monitor,
      (t) => (flags.json ? out.json(t, true) : out.text(t, (x) => text.renderTick(x, out.style))),
      stop.signal,
    );
    if (!flags.json) out.lines(`stopped after ${samples} samples`);
    return EXIT.ok;
  }
  const r = await inspector.chat(code, {
    messages: flags.showMessages ? (flags.limit ?? DEFAULT_LIMIT) : undefined,
    reactions: flags.showReactions ? (flags.limit ?? DEFAULT_LIMIT) : undefined,
  });
  const cachedAnything = r.windows.main.exists || r.windows.backroom.exists || r.pinned.exists || r.reactions.caches > 0;
  if (!r.chat && !cachedAnything) throw new Error(`chat ${code} is neither in the database nor in the cache`);
  out.report(flags.json, r, (x) => text.renderChat(x, out.style));
  return EXIT.ok;
}

runJob('inspect', main, async () => ctx?.close());
