import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000000Initial } from './migration-20261123000000-initial';
import { Migration20261201000000Settings } from './migration-20261201000000-settings';
import { Migration20261215000000MembersVersion } from './migration-20261215000000-members-version';
import { Migration20261220000000ChatsHotUpdates } from './migration-20261220000000-chats-hot-updates';
import { Migration20261222000000ClientIdPerSender } from './migration-20261222000000-client-id-per-sender';
import { Migration20261222000100PinnedBy } from './migration-20261222000100-pinned-by';
import { Migration20261222000200TokensValidAfter } from './migration-20261222000200-tokens-valid-after';
import { Migration20261223000000KeyedByChat } from './migration-20261223000000-keyed-by-chat';
import { Migration20261223000100DistributeByChat } from './migration-20261223000100-distribute-by-chat';
import { MIGRATION_NAMES, type MigrationName } from './names';

// One class per name in names.ts: the compiler refuses a name without its class or a class without its name.
const CLASSES = {
  Migration20261123000000Initial,
  Migration20261201000000Settings,
  Migration20261215000000MembersVersion,
  Migration20261220000000ChatsHotUpdates,
  Migration20261222000000ClientIdPerSender,
  Migration20261222000100PinnedBy,
  Migration20261222000200TokensValidAfter,
  Migration20261223000000KeyedByChat,
  Migration20261223000100DistributeByChat,
} satisfies Record<MigrationName, MigrationObject['class']>;

/** Every migration in order; names are stored in the database's migration table. */
export const MIGRATIONS: MigrationObject[] = MIGRATION_NAMES.map((name) => ({ name, class: CLASSES[name] }));
