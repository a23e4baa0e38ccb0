export { openOrm, ormOptions, migrateUp, migratorOf, databaseKind, type Orm, type Em } from './orm';
export { parseDatabaseUrl, type DatabaseTarget } from './database-url';
export { forkEm } from './entity-manager';
export { rawPg, type RawPg } from './raw-pg';
export { databaseUnavailable } from './unavailable';
export { isDistributed } from './distributed';
export { ReadReplicas, type ReplicaResult } from './read-replicas';
export { SchemaWatch, pendingMigrations } from './schema-watch';
export {
  Repositories,
  ChatRepository,
  MessageRepository,
  ParticipantRepository,
  UserRepository,
  type ChatRef,
  type ChatCounters,
  type MembershipUnread,
  type Memberships,
  type Tx,
  type PageRows,
  type MessageText,
} from './repositories';
