import {
  context,
  propagation,
  trace,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  INVALID_SPAN_CONTEXT,
  type Attributes,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { dbErrorSummary, safeErrorText } from '../db-error';
import { LightSpan } from './light-span';
import type { EndedSpan } from './span-consumer';

/** Names of our own spans; the monitor counts these. */
export type OperationName = 'cache.read' | 'cache.write' | 'db.read' | 'db.write' | 'hybrid.query' | 'socket.join' | 'socket.send';

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
  /** on a failed span: 'client' (a refused request, 4xx), 'store' (database or Redis) or 'server' */
  errorKind: 'chatpop.error.kind',
  /** on a failed span: the contract's error code (`conflict`), a SQLSTATE (`57P01`) or the error's class */
  errorCode: 'chatpop.error.code',
  /** on a failed span: the error's words, without a statement's values (safeErrorText) */
  errorMessage: 'chatpop.error.message',
  /** OpenTelemetry messaging conventions on socket.send and socket.join: 'socket.io' */
  messagingSystem: 'messaging.system',
  /** 'process': the server handles an event a client sent */
  messagingOperationType: 'messaging.operation.type',
  /** the event's name, e.g. 'message:send' */
  messagingOperationName: 'messaging.operation.name',
  /** the chat code */
  messagingDestination: 'messaging.destination.name',
  /** the stored message's id (socket.send) */
  messagingMessageId: 'messaging.message.id',
  /** how many sends one group commit stored (chat.commit) */
  messagingBatchCount: 'messaging.batch.message_count',
  /** the stored message's seq in its chat channel (socket.send) */
  messageSeq: 'chatpop.message.seq',
} as const;

/** W3C trace context a client may put in an event's payload; the server continues that trace. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

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
  span.setAttributes(errorAttributes(err, db?.code ?? db?.type));
}

/** Errors from the stores that are not database errors: ioredis's. */
const REDIS_ERRORS = /^(ReplyError|MaxRetriesPerRequestError|AbortError|ClusterAllFailedError)$/;

/**
 * What kind of failure ended a span, so a client's refused request (an AppError below 500, told by
 * its shape: telemetry imports no app code) is not counted as the server's, and a store's failure
 * is told apart from a bug.
 */
export function errorAttributes(err: unknown, dbCode?: string): Attributes {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; status?: unknown; message?: unknown };
  const message = safeErrorText(err).slice(0, 200);
  const appStatus = e.name === 'AppError' && typeof e.status === 'number' ? e.status : undefined;
  if (appStatus !== undefined && appStatus < 500) {
    return { [ATTR.errorKind]: 'client', [ATTR.errorCode]: String(e.code), [ATTR.errorMessage]: message };
  }
  if (dbCode !== undefined) return { [ATTR.errorKind]: 'store', [ATTR.errorCode]: dbCode, [ATTR.errorMessage]: message };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  // ioredis's own errors, and a connection's system error (ECONNREFUSED, ECONNRESET) below a store
  if (REDIS_ERRORS.test(name) || (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code))) {
    return { [ATTR.errorKind]: 'store', [ATTR.errorCode]: typeof e.code === 'string' ? e.code : name, [ATTR.errorMessage]: message };
  }
  const code = appStatus !== undefined || typeof e.code === 'string' ? String(e.code) : name;
  return { [ATTR.errorKind]: 'server', [ATTR.errorCode]: code, [ATTR.errorMessage]: message };
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

/**
 * Runs fn inside the span of one client event (`socket.send`, `socket.join`): a consumer span that
 * continues the client's trace when `carrier` holds a valid W3C `traceparent`, else the current one.
 */
export function tracedEvent<T>(
  name: OperationName,
  attributes: Attributes,
  carrier: TraceCarrier | undefined,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!spansWanted) return untraced(fn);
  if (lightSink) return runWithSpan(new LightSpan(name, attributes, lightSink), fn);
  const parent = carrier?.traceparent ? propagation.extract(context.active(), carrier) : context.active();
  return tracer.startActiveSpan(name, { attributes, kind: SpanKind.CONSUMER }, parent, (span) => runWithSpan(span, fn));
}

/** The recording span fn runs in (the event being handled), for a group span to link to; else undefined. */
export function currentSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() && !(span instanceof LightSpan) ? span : undefined;
}

/** Work done once for many traces (a group commit): see startGroupSpan. */
export interface GroupSpan {
  /** Runs fn with the group span active: the spans fn makes (db, cache, pg, ioredis) are its children. */
  run<T>(fn: () => T): T;
  fail(err: unknown): void;
  end(): void;
}

const NO_GROUP: GroupSpan = { run: (fn) => fn(), fail() {}, end() {} };

/**
 * A root span for work that serves many traces at once: it links to each member's span, and each
 * member's span links back to it, so every member's trace shows the shared database and cache work
 * (a parent could hold only one of them). Nothing when only the monitor reads spans.
 */
export function startGroupSpan(name: string, attributes: Attributes, members: (Span | undefined)[]): GroupSpan {
  if (!spansWanted || lightSink) return NO_GROUP;
  const links: Link[] = [];
  for (const m of members) if (m) links.push({ context: m.spanContext() });
  const span = tracer.startSpan(name, { root: true, attributes, links });
  const active = trace.setSpan(ROOT_CONTEXT, span);
  if (span.isRecording()) for (const m of members) m?.addLink({ context: span.spanContext() });
  return {
    run: (fn) => context.with(active, fn),
    fail: (err) => markFailed(span, err),
    end: () => span.end(),
  };
}
