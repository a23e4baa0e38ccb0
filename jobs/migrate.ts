#!/usr/bin/env node
// migrate — database migrations (docs/contract.md "Command-line jobs"). Thin: parse, call src/ops, print.
import type { Command } from 'commander';
import type { Orm } from '../src/db';
import {
  OpsContext,
  confirm,
  createOutput,
  createProgram,
  jobConfig,
  migrateDown,
  migrateUp,
  migrationStatus,
  renderMigrationRun,
  renderMigrationStatus,
  runJob,
} from '../src/ops';

interface Opts {
  json?: boolean;
  force?: boolean;
}

const out = createOutput();
let ctx: OpsContext | undefined;

function run(body: (orm: Orm, database: string, o: Opts) => Promise<void>) {
  return (...params: unknown[]) => {
    const opts = (params.at(-1) as Command).optsWithGlobals<Opts>();
    runJob(
      'migrate',
      async () => {
        ctx = new OpsContext(jobConfig());
        await body(await ctx.orm(), ctx.describeDatabase(), opts);
      },
      async () => ctx?.close(),
    );
  };
}

const program = createProgram('migrate', 'ChatPop database migrations (DATABASE_URL: PostgreSQL or SQLite).')
  .option('--json', 'print one JSON document instead of text')
  .option('--force', 'with down: do not ask (required without a terminal)')
  .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage error.');

program
  .command('status')
  .description('applied and pending migrations')
  .action(
    run(async (orm, database, o) => {
      const s = await migrationStatus(orm, database);
      out.report(o.json, s, renderMigrationStatus);
    }),
  );

program
  .command('up')
  .description('apply every pending migration')
  .action(
    run(async (orm, database, o) => {
      const r = await migrateUp(orm, database);
      out.report(o.json, r, renderMigrationRun);
    }),
  );

program
  .command('down')
  .description('revert the most recent migration (asks first: it drops what that migration created)')
  .action(
    run(async (orm, database, o) => {
      const s = await migrationStatus(orm, database);
      const last = s.executed.at(-1);
      if (last)
        await confirm(`Revert ${last.name} on ${database}? Its tables and data are dropped.`, {
          force: Boolean(o.force),
          action: `revert ${last.name}`,
        });
      const r = await migrateDown(orm, database);
      out.report(o.json, r, renderMigrationRun);
    }),
  );

program.parse();
