import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openOrm } from '../../src/db';
import { MIGRATIONS } from '../../src/db/migrations';
import { createTestDatabase, freePort, type TestDatabase } from '../support';
import { jsonOf, runJob } from './job-process';

/** Every migration, in order; other work adds to the list, so nothing here names one but by position. */
const ALL = MIGRATIONS.map((m) => m.name);
const LAST = ALL.at(-1)!;

/** True when the messages table exists (asked through the ORM, the same on both databases). */
async function hasMessagesTable(url: string): Promise<boolean> {
  const orm = await openOrm(url);
  try {
    await orm.em.getConnection().execute('select count(*) as n from messages');
    return true;
  } catch {
    return false;
  } finally {
    await orm.close(true);
  }
}

for (const kind of ['SQLite', 'PostgreSQL'] as const) {
  describe(`jobs: migrate on ${kind}`, function () {
    this.timeout(30_000);
    let url: string;
    let cleanup: () => Promise<void>;
    const migrate = (args: string[]) => runJob('migrate', args, { DATABASE_URL: url });

    before(async () => {
      if (kind === 'SQLite') {
        const dir = mkdtempSync(path.join(tmpdir(), 'chatpop-migrate-'));
        url = `sqlite://${path.join(dir, 'chatpop.sqlite')}`;
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const db: TestDatabase = await createTestDatabase();
        url = db.url;
        cleanup = () => db.drop();
      }
    });

    after(() => cleanup?.());

    it('status shows the pending migration, up applies it, and up again has nothing to do', async () => {
      const fresh = await migrate(['status']);
      expect(fresh.code, fresh.stderr).to.equal(0);
      expect(fresh.stdout).to.contain(`${ALL.map((n) => `  pending  ${n}\n`).join('')}0 applied, ${ALL.length} pending\n`);

      const up = await migrate(['up']);
      expect(up.code, up.stderr).to.equal(0);
      expect(up.stdout).to.match(new RegExp(`^database \\S+: applied ${ALL.join(', ')}\\n${ALL.length} applied, 0 pending\\n$`));
      expect(await hasMessagesTable(url)).to.equal(true);

      const status = jsonOf(await migrate(['status', '--json']));
      expect(status.pending).to.deep.equal([]);
      expect(status.executed.map((m: { name: string }) => m.name)).to.deep.equal(ALL);
      expect(Date.parse(status.executed[0].executed_at)).to.be.closeTo(Date.now(), 60_000);

      const again = await migrate(['up']);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.match(/nothing to apply; up to date\n$/);
    });

    it('down refuses without --force off a terminal, and with --force reverts the last migration', async () => {
      const refused = await migrate(['down']);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.equal(`migrate: refusing to revert ${LAST} without --force: there is no terminal to confirm on\n`);

      const down = await migrate(['down', '--force', '--json']);
      expect(down.code, down.stderr).to.equal(0);
      expect(jsonOf(down)).to.deep.include({ direction: 'down', migrations: [LAST] });
      expect(jsonOf(down).status.pending).to.deep.equal([LAST]);
      // Only the last one went: everything before it is still applied (so the refusal above reverted nothing).
      expect(jsonOf(down).status.executed.map((m: { name: string }) => m.name)).to.deep.equal(ALL.slice(0, -1));
    });
  });
}

describe('jobs: migrate from another working directory', () => {
  it('finds its migrations and the migrator wherever it is started, as on PATH', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chatpop-migrate-cwd-'));
    try {
      const r = await runJob('migrate', ['status', '--json'], { DATABASE_URL: `sqlite://${path.join(dir, 'x.sqlite')}` }, 20_000, dir);
      expect(r.code, r.stderr).to.equal(0);
      expect(jsonOf(r).pending).to.deep.equal(ALL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jobs: migrate usage and failures', () => {
  it('exits 2 without a command or with an unknown one', async () => {
    const [none, unknown] = await Promise.all([runJob('migrate', [], {}), runJob('migrate', ['sideways'], {})]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/Usage: migrate/);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain("unknown command 'sideways'");
  });

  it('fails with one line naming the database when it cannot be reached', async () => {
    const port = await freePort();
    const r = await runJob('migrate', ['up'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/chatpop` });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(
      `migrate: cannot reach the database at postgres://postgres@127.0.0.1:${port}/chatpop: connect ECONNREFUSED 127.0.0.1:${port} (check DATABASE_URL)\n`,
    );
  });
});
