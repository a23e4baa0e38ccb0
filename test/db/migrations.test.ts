import { expect } from 'chai';
import { migrateUp, openOrm } from '../../src/db';
import { DATABASE_TARGETS } from './database-targets';

for (const target of DATABASE_TARGETS) {
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
