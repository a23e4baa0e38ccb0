// Prints the schema MikroORM derives from the entities, for one DATABASE_URL (used to write migrations).
const { MikroORM } = require('@mikro-orm/core');
const { ormOptions } = require('../dist/src/db/orm');
(async () => {
  const url = process.argv[2];
  const orm = await MikroORM.init({ ...ormOptions(url), connect: false });
  const gen = orm.getSchemaGenerator();
  process.stdout.write(await gen.getCreateSchemaSQL({ wrap: false }));
  await orm.close(true);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
