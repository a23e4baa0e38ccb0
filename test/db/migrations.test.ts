import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateUp, openOrm } from '../../src/db';
import { createTestDatabase } from '../support';

const targets: { name: string; open(): Promise<{ url: string; dispose(): Promise<void> }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chatpop-mig-'));
      return { url: `sqlite://${join(dir, 'db.sqlite')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  { name: 'PostgreSQL', open: async () => { const db = await createTestDatabase(); return { url: db.url, dispose: db.drop }; } },
];

for (const target of targets) {
  describe(`migrations on ${target.name}`, function () {
    this.timeout(30_000);

    it('create exactly the schema the entities describe, and go down and up again', async () => {
      const db = await target.open();
      const orm = await openOrm(db.url);
      try {
        expect(await migrateUp(orm)).to.have.length.greaterThan(0);
        const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
        expect(diff.trim(), 'entities and migrations disagree').to.equal('');
        await orm.getMigrator().down({ to: 0 });
        expect(await orm.getMigrator().getPendingMigrations()).to.have.length.greaterThan(0);
        await migrateUp(orm);
        expect(await orm.getMigrator().getPendingMigrations()).to.have.length(0);
      } finally {
        await orm.close(true);
        await db.dispose();
      }
    });
  });
}
