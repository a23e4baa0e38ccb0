import type { AttributeValue } from '@opentelemetry/api';

/** An ended span of ours as its consumer reads it: from the OTel SDK, or a light span (light-span.ts). */
export interface EndedSpan {
  name: string;
  attribute(key: string): AttributeValue | undefined;
  durationMs: number;
  /** ms since the epoch */
  endedAtMs: number;
  failed: boolean;
}

/**
 * What our spans feed: the monitor, seen through this port so that telemetry knows nothing of it.
 * While it is off (and nothing exports) our spans are not made at all.
 */
export interface SpanConsumer {
  readonly enabled: boolean;
  /** Calls listener on every switch; returns the unsubscribe. */
  onEnabledChange(listener: (enabled: boolean) => void): () => void;
  /** Takes one ended span; spans that are not ours (isOperationName) are ignored. */
  recordSpan(span: EndedSpan): void;
}
