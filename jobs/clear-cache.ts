#!/usr/bin/env node
// clear-cache — cache maintenance and deploy hooks (docs/contract.md "Command-line jobs"). Thin: parse, call src/ops, print.
import type { Command } from 'commander';
import {
  CacheMaintenance,
  DEFAULT_POD_SELECTOR,
  EXIT,
  OpsContext,
  confirm,
  createOutput,
  createProgram,
  jobConfig,
  listPods,
  maintenanceText as text,
  positiveHours,
  printable,
  runJob,
  userIdArg,
} from '../src/ops';

/** Every option, global or the command's own (commander's optsWithGlobals). */
interface Opts {
  json?: boolean;
  force?: boolean;
  preUpgrade?: boolean;
  postUpgrade?: boolean;
  queue?: boolean;
  hours: number;
  namespace?: string;
  selector?: string;
}

/** @default 24 hours for `old` and `maintenance` */
const DEFAULT_HOURS = 24;

const out = createOutput();
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
let ctx: OpsContext | undefined;

/** A command's action: runs `body` against a fresh context and exits with its code. */
function run(body: (m: CacheMaintenance, o: Opts, args: string[]) => Promise<number | void>) {
  return (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const opts = command.optsWithGlobals<Opts>();
    runJob(
      'clear-cache',
      async () => {
        ctx = new OpsContext(jobConfig());
        return body(new CacheMaintenance(ctx), opts, command.processedArgs as string[]);
      },
      async () => ctx?.close(),
    );
  };
}

const program = createProgram('clear-cache', 'ChatPop cache maintenance: statistics, clean-ups and the deploy hooks.')
  .option('--pre-upgrade', 'deploy hook: drain the repair queue (rebuild every waiting chat); user state is kept')
  .option('--post-upgrade', 'deploy hook: rebuild the windows of the 100 most recently active chats from the database')
  .option('--json', 'print one JSON document instead of text')
  .option('--force', 'do not ask before deleting (required without a terminal)')
  .allowExcessArguments(true)
  .addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failure, 2 usage error. Commands that delete ask [y/N] on a terminal and need --force otherwise.',
  );

program
  .command('stats')
  .description('user-state keys, chat windows, Redis memory, repair-queue depth')
  .action(
    run(async (m, g) => {
      const r = await m.stats();
      out.report(g.json, r, (x) => text.renderCacheStats(x, out.style));
    }),
  );

program
  .command('all')
  .description('delete every chat window and user state (asks first)')
  .option('--queue', 'also empty the repair queue')
  .action(
    run(async (m, g) => {
      const plan = await m.planAll(Boolean(g.queue));
      if (!g.json) out.text(plan, text.renderAllPlan);
      // Nothing to delete needs no confirmation, as for old and user (an empty queue counts as nothing).
      const nothing = plan.chat_keys + plan.user_keys === 0 && (!plan.clear_queue || plan.queue_waiting === 0);
      if (!nothing)
        await confirm('Delete all of it?', { force: Boolean(g.force), action: `delete ${plan.chat_keys + plan.user_keys} cache keys` });
      const done = await m.clearAll(plan);
      out.report(g.json, done, text.renderAllDone);
    }),
  );

program
  .command('old')
  .description(`delete chat windows and user states idle longer than --hours (default ${DEFAULT_HOURS}; asks first)`)
  .option('--hours <n>', 'idle threshold in hours', positiveHours, DEFAULT_HOURS)
  .action(
    run(async (m, g) => {
      const plan = await m.planOld(g.hours);
      if (!g.json) out.text(plan, text.renderOldPlan);
      if (plan.chats.length || plan.user_keys.length) {
        const count = plan.chats.reduce((a, c) => a + c.keys.length, 0) + plan.user_keys.length;
        await confirm(`Delete these ${count} keys?`, { force: Boolean(g.force), action: `delete ${count} idle cache keys` });
      }
      const done = await m.clearOld(plan);
      out.report(g.json, done, text.renderOldDone);
    }),
  );

program
  .command('user')
  .description("delete one registered user's cached state and name lookup (asks first); exit 1 when no such user")
  .argument('<user>', 'the user id (UUID) or @username', userIdArg)
  .action(
    run(async (m, g, [id]) => {
      const plan = await m.planUser(id);
      if (!g.json) out.text(plan, text.renderUserPlan);
      const who = `${plan.user_id} (@${plan.username})`;
      if (plan.keys.length)
        await confirm(`Delete these ${plan.keys.length} keys?`, {
          force: Boolean(g.force),
          action: `delete ${plan.keys.length} cache keys of user ${who}`,
        });
      const deleted = await m.clearUser(plan);
      if (g.json) out.json({ ...plan, deleted });
      else if (plan.keys.length) out.text(who, (w) => `deleted ${deleted} keys of user ${w}`);
    }),
  );

program
  .command('maintenance')
  .description(`the CronJob's run: delete what is idle longer than --hours (default ${DEFAULT_HOURS}), then report as one JSON line`)
  .option('--hours <n>', 'idle threshold in hours', positiveHours, DEFAULT_HOURS)
  .action(
    run(async (m, g) => {
      // Always one JSON line, whatever --json says: it is read from the CronJob's log.
      out.json(await m.maintenance(g.hours), true);
    }),
  );

program
  .command('k8s-status')
  .description('pods of the deployment (phase, restarts, age, readiness) through the Kubernetes API, plus cache stats')
  .option('--namespace <ns>', 'namespace (default: POD_NAMESPACE, the in-cluster namespace, the kubeconfig context, "default")')
  .option('--selector <labels>', `pod label selector (default ${DEFAULT_POD_SELECTOR})`)
  .action(
    run(async (m, g) => {
      // Each part is reported on its own: an unreachable cluster does not hide the cache, nor the reverse.
      const pods = await listPods({ namespace: g.namespace, selector: g.selector }).catch((err: unknown) => ({ error: errorText(err) }));
      const cache = await m.stats().catch((err: unknown) => ({ error: errorText(err) }));
      if (g.json) out.json('error' in pods ? { pods_error: pods.error, cache } : { ...pods, cache });
      else {
        // The cluster's failure on stderr, as every job failure, and the cache stats still on stdout.
        if ('error' in pods) process.stderr.write(`clear-cache: ${printable(pods.error)}\n`);
        else out.text(pods, (p) => text.renderPods(p, out.style));
        out.text(cache, (c) =>
          'error' in c ? `cache: ${c.error}` : [...('error' in pods ? [] : ['']), ...text.renderCacheStats(c, out.style)],
        );
      }
      return 'error' in pods || 'error' in cache ? EXIT.failure : EXIT.ok;
    }),
  );

const upgrade = run(async (m, g) => {
  const r = g.preUpgrade ? await m.preUpgrade() : await m.postUpgrade();
  out.report(g.json, r, text.renderUpgrade);
  return r.failed.length ? EXIT.failure : EXIT.ok;
});

const usage = (message: string) => program.error(`error: ${message}`, { exitCode: EXIT.usage });

// Only the program takes stray words (to name an unknown command); a command refuses them, so
// `old 168` is a usage error instead of the default 24 hours.
for (const command of program.commands) command.allowExcessArguments(false);
// A deploy hook is a run of its own: `--post-upgrade stats` is a mistake, not a hook and a command.
program.hook('preSubcommand', () => {
  const opts = program.opts<Opts>();
  if (opts.preUpgrade || opts.postUpgrade) usage('--pre-upgrade and --post-upgrade run alone, without a command');
});

program.action((opts: Opts, command: Command) => {
  if (program.args.length) usage(`unknown command '${program.args[0]}'`);
  if (opts.preUpgrade && opts.postUpgrade) usage('choose one of --pre-upgrade and --post-upgrade');
  if (!opts.preUpgrade && !opts.postUpgrade)
    usage('give a command (stats, all, old, user, maintenance, k8s-status) or --pre-upgrade / --post-upgrade');
  upgrade(opts, command);
});

program.parse();
