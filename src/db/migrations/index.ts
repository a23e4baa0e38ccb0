import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000Initial } from './migration-20261123000000-initial';
import { Migration20261201000000Settings } from './migration-20261201000000-settings';
import { Migration20261215000000MembersVersion } from './migration-20261215000000-members-version';
import { Migration20261220000000ChatsHotUpdates } from './migration-20261220000000-chats-hot-updates';
import { Migration20261222000000TokensValidAfter } from './migration-20261222000000-tokens-valid-after';

/** Every migration in order; names are stored in the database's migration table. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123000000Initial', class: Migration20261123000000Initial },
  { name: 'Migration20261201000000Settings', class: Migration20261201000000Settings },
  { name: 'Migration20261215000000MembersVersion', class: Migration20261215000000MembersVersion },
  { name: 'Migration20261220000000ChatsHotUpdates', class: Migration20261220000000ChatsHotUpdates },
  { name: 'Migration20261222000000TokensValidAfter', class: Migration20261222000000TokensValidAfter },
];
