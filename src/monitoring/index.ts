// The monitoring folder's public face. Importing it loads no koa, ioredis or pg: server.ts imports it
// before telemetry (src/telemetry) instruments them.
export {
  Monitor,
  type MonitorOptions,
  type MonitorSnapshot,
  type MonitorMetrics,
  type MonitorEvent,
  type EventError,
  type BusyChat,
  type OperationRecord,
  type SnapshotOptions,
} from './monitor';
export {
  AdaptiveSampler,
  modeFor,
  sampleRateFor,
  DETAILED_BELOW_OPS,
  AGGREGATED_ABOVE_OPS,
  SAMPLE_RATES,
  type MonitorMode,
  type AdaptiveSamplerOptions,
} from './adaptive-sampler';
export { RingBuffer } from './ring-buffer';
export { LatencyStats, LatencyWindow, percentile, type LatencySummary } from './latency-stats';
export { buildMonitoringView, mergeSnapshots, sumMetrics, type ClusterView, type MonitoringView, type ViewOptions } from './cluster-view';
export { dashboardPage, dashboardHeaders } from './dashboard-page';
export { metrics, startProcessMetrics, httpMetricsMiddleware, AppMetrics, type AppMetricSources } from './metrics';
export { RedisSettingsStore, DatabaseSettingsStore, type SettingsStore, type SharedSettings } from './settings-store';
export { RedisSnapshotBoard, SNAPSHOT_TTL_SECONDS, type SnapshotBoard } from './snapshot-board';
export { MonitoringService, VIEW_EVENT_LIMIT, type MonitoringServiceOptions } from './monitoring-service';
export { startAppMonitoring, type AppMonitoring, type AppMonitoringDeps } from './app-monitoring';
export {
  readClusterView,
  renderClusterView,
  offState,
  MONITORING_OFF_HINT,
  NO_REDIS_NOTE,
  type TerminalView,
  type ViewStyle,
  type RenderOptions,
} from './terminal-view';
export {
  PodHistory,
  mergeHistories,
  mergeGauges,
  parseRedisMemory,
  HISTORY_POINTS,
  HISTORY_MS,
  type HistoryPoint,
  type PodGauges,
  type RedisMemory,
} from './history';
