// The monitoring folder's public face. Importing it is cheap: the OpenTelemetry SDK loads only
// when startTelemetry() runs.
export { traced, ATTR, setSpansWanted, type OperationName } from './tracer';
export { OPERATION_NAMES, isOperationName, type CacheResult } from './operations';
export {
  Monitor,
  type MonitorOptions,
  type MonitorSnapshot,
  type MonitorMetrics,
  type MonitorEvent,
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
export { MonitorSpanProcessor } from './monitor-span-processor';
export { buildMonitoringView, sumMetrics, type MonitoringView, type ViewOptions } from './monitoring-view';
export { startTelemetry, otlpTracesConfigured, type Telemetry, type TelemetryOptions } from './telemetry';
export { redisStatement } from './redis-statement';
export { dashboardPage } from './dashboard-page';
