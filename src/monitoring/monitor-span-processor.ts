import { SpanStatusCode, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Monitor, OperationRecord } from './monitor';
import { isCacheResult, isOperationName, type CacheResult } from './operations';
import { ATTR, type OperationName } from './tracer';

const hrToMs = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

const numberOrUndefined = (v: AttributeValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const stringOrUndefined = (v: AttributeValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** An ended span of ours as the monitor reads it: from the OTel SDK, or from a light span (tracer.ts). */
export interface EndedSpan {
  name: string;
  attribute(key: string): AttributeValue | undefined;
  durationMs: number;
  /** ms since the epoch */
  endedAtMs: number;
  failed: boolean;
}

/**
 * Counts one of our spans in the monitor. Only whitelisted attributes are read, and only those the
 * counters need unless the sampler keeps the span's event.
 */
export function recordSpan(monitor: Monitor, span: EndedSpan): void {
  if (!monitor.enabled || !isOperationName(span.name)) return;
  const op = span.name;
  const read = span.attribute(ATTR.cacheResult);
  const result = isCacheResult(read) ? read : undefined; // counted for cache.read only; any op's event shows it
  if (monitor.count(op, span.failed, result, span.durationMs)) monitor.keep(eventRecord(op, result, span));
}

/** What the event of a counted span says: what `count` took, and the attributes only events carry. */
function eventRecord(op: OperationName, result: CacheResult | undefined, span: EndedSpan): OperationRecord {
  const cacheCount = numberOrUndefined(span.attribute(ATTR.cacheCount));
  const dbCount = numberOrUndefined(span.attribute(ATTR.dbCount));
  let count: number | undefined;
  if (op === 'hybrid.query') {
    count = cacheCount !== undefined || dbCount !== undefined ? (cacheCount ?? 0) + (dbCount ?? 0) : undefined;
  } else if (op.startsWith('cache.')) {
    count = cacheCount;
  } else {
    count = dbCount ?? cacheCount;
  }
  return {
    op,
    chatCode: stringOrUndefined(span.attribute(ATTR.chatCode)),
    result,
    count,
    cacheCount: op === 'hybrid.query' ? cacheCount : undefined,
    dbCount: op === 'hybrid.query' ? dbCount : undefined,
    action: stringOrUndefined(span.attribute(ATTR.op)),
    replica: stringOrUndefined(span.attribute(ATTR.replica)),
    durationMs: span.durationMs,
    endedAt: span.endedAtMs,
    failed: span.failed,
  };
}

/**
 * Feeds the monitor from our own spans (`cache.read`, `db.write`, …). Other spans (http, koa,
 * ioredis, pg) and everything while the monitor is off cost one check each.
 * Only whitelisted attributes are read, so nothing else a span carries can reach the event log.
 */
export class MonitorSpanProcessor implements SpanProcessor {
  constructor(private readonly monitor: Monitor) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (!this.monitor.enabled) return;
    recordSpan(this.monitor, {
      name: span.name,
      attribute: (key) => span.attributes[key],
      durationMs: hrToMs(span.duration),
      endedAtMs: hrToMs(span.endTime),
      failed: span.status.code === SpanStatusCode.ERROR,
    });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
