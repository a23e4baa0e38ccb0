import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import type { SpanConsumer } from './span-consumer';
import { isOperationName } from './operations';

const RECORD: SamplingResult = { decision: SamplingDecision.RECORD };
const NOT_RECORD: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/**
 * Decides which spans are recorded at all, so that what nobody consumes costs (almost) nothing:
 * - with an exporter, `exportSampler` decides as usual, but our own spans are still recorded
 *   (not exported) for the monitor when that sampler drops them;
 * - without one, only our own spans are recorded, and only while the monitor is on.
 */
export class MonitorAwareSampler implements Sampler {
  constructor(
    private readonly monitor: SpanConsumer,
    private readonly exportSampler: Sampler | null,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (this.exportSampler) {
      const result = this.exportSampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
      if (result.decision === SamplingDecision.NOT_RECORD && this.monitor.enabled && isOperationName(spanName)) return RECORD;
      return result;
    }
    return this.monitor.enabled && isOperationName(spanName) ? RECORD : NOT_RECORD;
  }

  toString(): string {
    return `MonitorAwareSampler{${this.exportSampler ? this.exportSampler.toString() : 'monitor only'}}`;
  }
}

/** The sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. @default parentbased_always_on */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG !== undefined && arg >= 0 && arg <= 1 ? arg : 1;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
