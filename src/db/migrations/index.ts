import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000Initial } from './migration-20261123000000-initial';

/** Every migration in order; names are stored in the database's migration table. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123000000Initial', class: Migration20261123000000Initial },
];
