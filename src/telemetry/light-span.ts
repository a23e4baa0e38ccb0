import {
  INVALID_SPAN_CONTEXT,
  SpanStatusCode,
  type AttributeValue,
  type Attributes,
  type Span,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import type { EndedSpan } from './span-consumer';

const TIME_ORIGIN = performance.timeOrigin;

/**
 * One of our spans when nothing but the monitor reads spans (no tracing backend): the same
 * attributes, status and duration, handed straight to the monitor when it ends, without the OTel
 * SDK's ids, clocks and processors, which cost several times what the monitor itself does.
 * Attribute objects are kept as given (read, never copied or changed): copying them was most of
 * a light span's cost.
 */
export class LightSpan implements Span, EndedSpan {
  /** attribute objects set after the start, newest last */
  private later: Attributes[] | undefined;
  private readonly startedAt = performance.now();
  private ended = false;
  // Read by the monitor once ended: the span is its own EndedSpan (no record object per span).
  failed = false;
  durationMs = 0;
  endedAtMs = 0;

  constructor(
    public name: string,
    private readonly attributes: Attributes,
    private readonly onEnd: (span: EndedSpan) => void,
  ) {}

  spanContext(): SpanContext {
    return INVALID_SPAN_CONTEXT;
  }

  setAttribute(key: string, value: AttributeValue): this {
    return this.setAttributes({ [key]: value });
  }

  setAttributes(attributes: Attributes): this {
    (this.later ??= []).push(attributes);
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
    this.durationMs = now - this.startedAt;
    this.endedAtMs = TIME_ORIGIN + now;
    this.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(): void {}

  attribute(key: string): AttributeValue | undefined {
    if (this.later) {
      for (let i = this.later.length - 1; i >= 0; i--) {
        const v = this.later[i][key];
        if (v !== undefined) return v;
      }
    }
    return this.attributes[key];
  }
}
