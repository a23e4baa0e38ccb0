import { expect } from 'chai';
import { migrateUp, migratorOf, openOrm } from '../../src/db';
import { MIGRATION_NAMES } from '../../src/db/migrations/names';
import { ApiClient, startStack, startTestApp, uniqueName, type TestApp } from '../support';

// Issue #22, integrity: a pod whose schema is behind its code takes no traffic, and the embedded
// SQLite migrates at start whatever MIGRATE_ON_START says.
describe('readiness and the schema', function () {
  this.timeout(30_000);
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    await t?.stack.dispose();
    t = undefined;
  });

  it("migrates the embedded SQLite at start under the image's environment (NODE_ENV=production, MIGRATE_ON_START=false)", async () => {
    t = await startTestApp(await startStack('sqlite+memory'), { NODE_ENV: 'production', MIGRATE_ON_START: 'false' });
    const api = new ApiClient(t.base);

    const reg = await api.post('/api/auth/register', { username: uniqueName(), password: 'correct-horse-1' });

    expect(reg.status).to.equal(201);
    expect((await api.get('/ready')).status).to.equal(200);
  });

  it('answers /ready 503 not_ready while the PostgreSQL schema is behind, 200 once migrated, and then asks no more', async () => {
    const stack = await startStack('postgres+redis');
    // The schema of the previous release: the migrate hook of this one was skipped.
    const hook = await openOrm(stack.env.DATABASE_URL);
    await (await migratorOf(hook)).up({ to: MIGRATION_NAMES[MIGRATION_NAMES.length - 2] });
    t = await startTestApp(stack, { MIGRATE_ON_START: 'false' });
    const api = new ApiClient(t.base);
    try {
      const behind = await api.get('/ready');
      expect(behind.status).to.equal(503);
      expect(behind.body).to.include({ status: 'not_ready', reason: 'pending migrations' });
      expect(behind.body.error.code).to.equal('unavailable');
      expect((await api.get('/health')).status, 'liveness is not readiness').to.equal(200);

      await migrateUp(hook);
      expect((await api.get('/ready')).status).to.equal(200);

      // Current once means current: probes no longer read the migrations table.
      await hook.em.getConnection().execute('delete from mikro_orm_migrations');
      expect((await api.get('/ready')).status).to.equal(200);
    } finally {
      await hook.close(true);
    }
  });
});
