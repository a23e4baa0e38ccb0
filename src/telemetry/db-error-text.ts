import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** SpanStatusCode.ERROR, without loading the API for one number. */
const STATUS_ERROR = 2;

/**
 * The pg instrumentation puts PostgreSQL's error message in the span status, and that message can
 * quote a value of the statement (`invalid input syntax for type uuid: "…"`): message content, a
 * token. Spans leave the process with the instrumentation's own exception text instead (the error's
 * SQLSTATE, no value).
 */
export function withoutDbErrorText(exporter: SpanExporter): SpanExporter {
  return {
    export: (spans, done) => exporter.export(spans.map(scrubbed), done),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

function scrubbed(span: ReadableSpan): ReadableSpan {
  const a = span.attributes;
  const fromPg = a['db.system'] === 'postgresql' || a['db.system.name'] === 'postgresql';
  if (!fromPg || span.status.code !== STATUS_ERROR || !span.status.message) return span;
  // The instrumentation's exception event says it safely: "PostgreSQL error of type 'error' occurred (code: 22P02)".
  const said = span.events.find((e) => e.name === 'exception')?.attributes?.['exception.message'];
  const message = typeof said === 'string' ? said : 'PostgreSQL error';
  // The span itself stays untouched (other processors may hold it); the exporter sees this view.
  return Object.create(span, { status: { value: { code: STATUS_ERROR, message }, enumerable: true } }) as ReadableSpan;
}
