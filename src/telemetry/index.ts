// The telemetry folder's public face: our spans and the OpenTelemetry SDK set-up. It imports nothing
// of the app above it (what the spans feed is the SpanConsumer port), and loading it loads no koa,
// ioredis, pg or OpenTelemetry SDK: the SDK loads when startTelemetry() runs.
export { traced, tracedEach, runInSpan, ATTR, setSpansWanted, setLightSpanSink, type OperationName } from './tracer';
export { OPERATION_NAMES, isOperationName, isCacheResult, type CacheResult } from './operations';
export type { EndedSpan, SpanConsumer } from './span-consumer';
export { MonitorSpanProcessor } from './monitor-span-processor';
export { startTelemetry, activeTelemetry, otlpTracesConfigured, type Telemetry, type TelemetryOptions } from './sdk';
export { redisStatement } from './redis-statement';
