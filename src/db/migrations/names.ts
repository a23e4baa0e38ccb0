/**
 * Every migration's name, in the order they run: the schema this code expects. Kept apart from the
 * migration classes, which load the migrator, so a server that does not migrate can still tell
 * whether its database is current (readiness).
 */
export const MIGRATION_NAMES = [
  'Migration20261123000000Initial',
  'Migration20261201000000Settings',
  'Migration20261215000000MembersVersion',
  'Migration20261220000000ChatsHotUpdates',
  'Migration20261222000000ClientIdPerSender',
  'Migration20261222000100PinnedBy',
  'Migration20261222000200TokensValidAfter',
  'Migration20261223000000KeyedByChat',
  'Migration20261223000100DistributeByChat',
] as const;

export type MigrationName = (typeof MIGRATION_NAMES)[number];
