import { INVALID_SPAN_CONTEXT, SpanStatusCode, type AttributeValue, type Attributes, type Span, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import type { EndedSpan } from './monitor-span-processor';

/**
 * One of our spans when nothing but the monitor reads spans (no tracing backend): the same
 * attributes, status and duration, handed straight to the monitor when it ends, without the OTel
 * SDK's ids, clocks and processors, which cost several times what the monitor itself does.
 */
export class LightSpan implements Span {
  private readonly attributes: Attributes;
  private readonly startedAt = performance.now();
  private failed = false;
  private ended = false;

  constructor(
    private name: string,
    attributes: Attributes,
    private readonly onEnd: (span: EndedSpan) => void,
  ) {
    this.attributes = { ...attributes };
  }

  spanContext(): SpanContext {
    return INVALID_SPAN_CONTEXT;
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }

  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.failed = status.code === SpanStatusCode.ERROR;
    return this;
  }

  updateName(name: string): this {
    this.name = name;
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const now = performance.now();
    this.onEnd({ name: this.name, attributes: this.attributes, durationMs: now - this.startedAt, endedAtMs: performance.timeOrigin + now, failed: this.failed });
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(): void {}
}
