import { trace, SpanStatusCode, INVALID_SPAN_CONTEXT, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { dbErrorSummary, safeErrorText } from '../db-error';
import { LightSpan } from './light-span';
import type { EndedSpan } from './span-consumer';

/** Names of our own spans; the monitor counts these. */
export type OperationName =
  | 'cache.read'
  | 'cache.write'
  | 'db.read'
  | 'db.write'
  | 'hybrid.query'
  | 'socket.join'
  | 'socket.send';

/** Attribute keys carried by our spans. Never put message content in an attribute. */
export const ATTR = {
  chatCode: 'chat.code',
  /** 'hit' | 'miss' | 'partial' on cache.read */
  cacheResult: 'cache.result',
  /** messages read from or written to the cache */
  cacheCount: 'cache.count',
  /** rows read from or written to the database */
  dbCount: 'db.count',
  /** db.read asked of a replica: 'served'; 'lagging' (its answer was short or old) or 'failed': the primary answered */
  replica: 'db.replica',
  /** the operation inside a db.* or cache.* span, e.g. 'send', 'history', 'append' */
  op: 'chatpop.op',
} as const;

const tracer = trace.getTracer('chatpop');

let spansWanted = true;
/** Handed to fn while spans are off: records nothing, costs nothing. */
const NON_RECORDING_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Turns our spans off while nobody consumes them (no exporter and the monitor off), so `traced`
 * costs one branch. Telemetry drives this; @default true (spans on).
 */
export function setSpansWanted(wanted: boolean): void {
  spansWanted = wanted;
}

let lightSink: ((span: EndedSpan) => void) | null = null;

/**
 * Where our spans go when no tracing backend is configured: straight to `sink` (the monitor) as
 * light spans, instead of through the OTel SDK. null (the default): through the SDK.
 */
export function setLightSpanSink(sink: ((span: EndedSpan) => void) | null): void {
  lightSink = sink;
}

async function untraced<T>(fn: (span: Span) => Promise<T>): Promise<T> {
  return fn(NON_RECORDING_SPAN);
}

/** Runs fn inside an active span of `tracer`; records failures and always ends the span. */
export function runInSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, (span) => runWithSpan(span, fn));
}

/** Runs fn inside a span named `name` (see runInSpan); one branch when spans are off. */
export function traced<T>(name: OperationName, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!spansWanted) return untraced(fn);
  if (lightSink) return runWithSpan(new LightSpan(name, attributes, lightSink), fn);
  return runInSpan(tracer, name, attributes, fn);
}

/**
 * Runs fn with `span`; records failures and always ends the span. A `then` rather than an async
 * function: one promise per span instead of two, each of which runs the promise hooks that
 * AsyncLocalStorage keeps on.
 */
function runWithSpan<T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  let running: Promise<T>;
  try {
    running = fn(span);
  } catch (err) {
    failAndEnd(span, err);
    return Promise.reject(err);
  }
  return running.then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      failAndEnd(span, err);
      throw err;
    },
  );
}

function failAndEnd(span: Span, err: unknown): void {
  markFailed(span, err);
  span.end();
}

function markFailed(span: Span, err: unknown): void {
  // A database error's text holds the statement's values; spans leave the process (OTLP).
  const db = dbErrorSummary(err);
  span.recordException(db ? { name: db.type, message: safeErrorText(err) } : (err as Error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * One piece of work that is several operations at once (one statement storing the sends of many
 * chats): a span per attribute set, all ending with fn. The spans are not made active.
 */
export async function tracedEach<T>(name: OperationName, attributes: Attributes[], fn: () => Promise<T>): Promise<T> {
  if (!spansWanted) return fn();
  const spans: Span[] = attributes.map((a) => (lightSink ? new LightSpan(name, a, lightSink) : tracer.startSpan(name, { attributes: a })));
  try {
    return await fn();
  } catch (err) {
    for (const span of spans) markFailed(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}
