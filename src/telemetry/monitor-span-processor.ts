import { SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanConsumer } from './span-consumer';

const hrToMs = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

/**
 * Feeds the monitor from our own spans (`cache.read`, `db.write`, …). Other spans (http, koa,
 * ioredis, pg) and everything while the monitor is off cost one check each.
 * The consumer reads only the attributes it whitelists, so nothing else a span carries can reach it.
 */
export class MonitorSpanProcessor implements SpanProcessor {
  constructor(private readonly monitor: SpanConsumer) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (!this.monitor.enabled) return;
    this.monitor.recordSpan({
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
