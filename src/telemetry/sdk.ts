import { dirname, sep } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { withoutDbErrorText } from './db-error-text';
import { MonitorSpanProcessor } from './monitor-span-processor';
import type { SpanConsumer } from './span-consumer';
import { setLightSpanSink, setSpansWanted } from './tracer';

// The OpenTelemetry SDK and instrumentations are required inside startTelemetry, not imported at
// the top: loading them takes ~250 ms, which jobs that only read snapshots should not pay.

export interface TelemetryOptions<M extends SpanConsumer = SpanConsumer> {
  /** Receives our spans through a span processor (the monitor). */
  monitor: M;
  /** `service.name` of the spans unless OTEL_SERVICE_NAME says otherwise. @default 'chatpop' */
  serviceName?: string;
}

export interface Telemetry<M extends SpanConsumer = SpanConsumer> {
  /** The monitor our spans feed. */
  readonly monitor: M;
  /** True when spans also go to an OTLP endpoint. */
  readonly exporting: boolean;
  /** koa, ioredis or pg modules that were loaded before telemetry started, hence not instrumented. */
  readonly lateModules: string[];
  /** Flushes pending spans and stops the SDK. Telemetry starts once per process. */
  shutdown(): Promise<void>;
}

/** Requests that make no trace: probes, scrapes and the dashboard's own polling. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics', '/admin/monitoring/api']);

let active: Telemetry | null = null;

/** The telemetry this process started, if any: benchmarks and tests reuse its monitor (of type M). */
export function activeTelemetry<M extends SpanConsumer = SpanConsumer>(): Telemetry<M> | null {
  return active as Telemetry<M> | null;
}

/**
 * True when OTLP trace export is asked for: OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set and OTEL_TRACES_EXPORTER (if set) names `otlp`.
 */
export function otlpTracesConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (exporters.length > 0 && !exporters.includes('otlp')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard OTEL_* variables: the monitor's span
 * processor always; an OTLP exporter and the http, koa, ioredis and pg instrumentations only when an
 * endpoint is configured.
 *
 * Call it first thing in the process, before anything requires koa, ioredis or pg (that is, before
 * the app module is loaded): instrumentations patch modules as they are required.
 */
export function startTelemetry<M extends SpanConsumer>(options: TelemetryOptions<M>): Telemetry<M> {
  if (active) throw new Error('startTelemetry() runs once per process');
  const { monitor } = options;
  const lateModules = ['koa', 'ioredis', 'pg'].filter(isLoaded);

  const { NodeSDK, tracing } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { KoaInstrumentation, KoaLayerType } =
    require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { MonitorAwareSampler, samplerFromEnv } = require('./span-sampler') as typeof import('./span-sampler');
  const { redisStatement } = require('./redis-statement') as typeof import('./redis-statement');

  const exporting = otlpTracesConfigured();
  const spanProcessors: SpanProcessor[] = [new MonitorSpanProcessor(monitor)];
  if (exporting) spanProcessors.push(new tracing.BatchSpanProcessor(withoutDbErrorText(createOtlpExporter())));

  const env = process.env;
  const nameFromEnv = Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    serviceName: nameFromEnv ? undefined : (options.serviceName ?? 'chatpop'),
    sampler: new MonitorAwareSampler(monitor, exporting ? samplerFromEnv() : null),
    spanProcessors,
    // We log with pino; without this the SDK would set up an OTLP log exporter by default.
    logRecordProcessors: [],
    // Library spans (http, koa, ioredis, pg) only matter to a tracing backend; the monitor counts our
    // own spans. Without an exporter their hooks would only cost CPU on every request and query.
    instrumentations: exporting
      ? [
          new HttpInstrumentation({ ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has(pathOf(req.url)) }),
          // Router layers only: a span per middleware per request is noise.
          new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
          new IORedisInstrumentation({ dbStatementSerializer: redisStatement }),
          // Query parameters carry message content: never report them.
          new PgInstrumentation({ enhancedDatabaseReporting: false }),
        ]
      : [],
  });
  sdk.start();

  // Our spans are skipped outright while nothing consumes them.
  // Without a backend only the monitor reads our spans: hand them to it directly.
  setLightSpanSink(exporting ? null : (span) => monitor.recordSpan(span));
  const applySwitch = (): void => setSpansWanted(exporting || monitor.enabled);
  applySwitch();
  const unsubscribe = monitor.onEnabledChange(applySwitch);

  const started: Telemetry<M> = {
    monitor,
    exporting,
    lateModules,
    async shutdown() {
      unsubscribe();
      setSpansWanted(true);
      setLightSpanSink(null);
      await sdk.shutdown();
    },
  };
  active = started;
  return started;
}

/** The OTLP trace exporter of the configured protocol, as the SDK itself would pick it. */
function createOtlpExporter(): SpanExporter {
  const env = process.env;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  const pkg =
    protocol === 'grpc'
      ? '@opentelemetry/exporter-trace-otlp-grpc'
      : protocol === 'http/json'
        ? '@opentelemetry/exporter-trace-otlp-http'
        : '@opentelemetry/exporter-trace-otlp-proto';
  // The proto and grpc exporters are dependencies of sdk-node: resolve them from there.
  const from = dirname(require.resolve('@opentelemetry/sdk-node/package.json'));
  const { OTLPTraceExporter } = require(
    require.resolve(pkg, { paths: [from] }),
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  // Each exporter reads its endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables.
  return new OTLPTraceExporter();
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isLoaded(name: string): boolean {
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  return Object.keys(require.cache).some((file) => file.includes(marker));
}
