// The operator jobs' logic (jobs/ holds only their thin entries). Modules that load the ORM
// (cache-compare, chat-database) are imported on demand, so cache-only commands start fast.
export { EXIT, OpsError, causeText, redactUrl } from './ops-error';
export { OpsContext, CONNECT_TIMEOUT_MS, MEMORY_ENGINE_NOTE } from './ops-context';
export {
  classifyKey,
  globToRegExp,
  type Keyspace,
  type KeyKind,
  type KeyRef,
  type KeyStat,
  type MemoryInfo,
  type ScoredMember,
} from './keyspace';
export { RedisKeyspace } from './redis-keyspace';
export { MemoryKeyspace } from './memory-keyspace';
export { CacheInspector, LIST_MEASURE_MAX, FAMILY_SAMPLE } from './cache-inspector';
export {
  parseEntry,
  toMessageLine,
  type CachedView,
  type ChatReport,
  type ClearPlan,
  type FamilyMemory,
  type ListReport,
  type ListSort,
  type MessageLine,
  type MessageLookup,
  type StatsReport,
  type WindowReport,
} from './inspect-reports';
export type { EngineInfo } from './ops-context';
export type { ChannelComparison, CompareReport, RepairReport } from './cache-compare';
export { WindowMonitor, runMonitor, MONITOR_INTERVAL_MS, type MonitorTick } from './window-monitor';
export {
  CacheMaintenance,
  HOT_CHATS,
  DRAIN_LIMIT_MS,
  type CacheStatsReport,
  type ClearAllPlan,
  type ClearAllResult,
  type MaintenanceReport,
  type OldPlan,
  type OldResult,
  type UpgradeReport,
  type UserPlan,
} from './cache-maintenance';
export { listPods, toPodRow, DEFAULT_POD_SELECTOR, type PodRow, type PodsReport, type PodsOptions } from './k8s-status';
export { migrationStatus, migrateUp, migrateDown, type MigrationRun, type MigrationStatus } from './migrations';
export { confirm, type ConfirmOptions } from './confirm';
export { formatTtl, formatDuration, formatTime, formatCents, formatBytes, clip, table, printable, printableDoc } from './format';
export { createStyle, styleForStdout, type Style } from './style';
export * as inspectText from './inspect-text';
export * as maintenanceText from './maintenance-text';
export { renderMigrationStatus, renderMigrationRun } from './migrations-text';
export {
  createProgram,
  createOutput,
  runJob,
  jobConfig,
  positiveInt,
  positiveHours,
  chatCodeArg,
  uuidArg,
  userIdArg,
  type JobOutput,
} from './job-runner';
