import type { z } from 'zod';
import { inputs, type ChatServices } from '../chat';
import { databaseUnavailable } from '../db';
import { AppError, toErrorBody } from '../errors';
import type { Logger } from '../logger';
import { metrics } from '../monitoring';
import { ATTR, tracedEvent, type TraceCarrier } from '../telemetry';
import type { AckFailure, ClientToServerEvents } from './events';
import type { RealtimeSocket } from './server-events';
import type { InFlight } from './in-flight';
import type { ChatAccess } from './chat-access';
import type { Answer, JoinFlow } from './join';
import type { ConnectionLimits, EventKind } from './limits';
import { OVERSIZED_EVENT } from './size-limited-decoder';
import { joinPayload, leavePayload, reactPayload, sendPayload } from './socket-inputs';

/** The contract's failed ack; `rate_limited` carries `retry_after` in seconds. */
export function errorAck(err: unknown): AckFailure {
  return { ok: false, ...toErrorBody(err) };
}

export interface HandlerContext {
  chat: ChatServices;
  join: JoinFlow;
  access: ChatAccess;
  limits: ConnectionLimits;
  log: Logger;
  /** true once the pod drains: events are answered `unavailable` */
  draining(): boolean;
  /** the events being handled, which drain() waits for */
  inFlight: InFlight;
}

/** One client → server event: its rate-limit kind, its payload schema, and what it does. */
interface EventSpec {
  kind: EventKind;
  schema: z.ZodType;
  run(ctx: HandlerContext, socket: RealtimeSocket, input: unknown, trace: TraceCarrier | undefined): Promise<Answer<object>>;
}

function spec<S extends z.ZodType>(
  kind: EventKind,
  schema: S,
  run: (ctx: HandlerContext, socket: RealtimeSocket, input: z.output<S>, trace: TraceCarrier | undefined) => Promise<Answer<object>>,
): EventSpec {
  return { kind, schema, run: run as EventSpec['run'] };
}

/** The client → server events of docs/contract.md. */
const EVENTS: Record<keyof ClientToServerEvents, EventSpec> = {
  'chat:join': spec('join', joinPayload, (ctx, socket, input, carrier) =>
    tracedEvent('socket.join', eventAttributes('chat:join', input.code), carrier, () => ctx.join.join(socket, input)),
  ),

  'message:send': spec('send', sendPayload, async (ctx, socket, { code, ...input }, carrier) => {
    const session = await ctx.access.session(socket, code);
    const { message } = await tracedEvent('socket.send', eventAttributes('message:send', code), carrier, async (span) => {
      const sent = await ctx.chat.send.send(session, code, input);
      span.setAttributes({ [ATTR.messagingMessageId]: sent.message.id, [ATTR.messageSeq]: sent.message.seq });
      return sent;
    });
    return { reply: () => ({ message }) };
  }),

  'message:react': spec('event', reactPayload, async (ctx, socket, { code, message_id, emoji, op }) => {
    const reactions = await ctx.chat.reactions.react(await ctx.access.session(socket, code), code, message_id, emoji, op);
    return { reply: () => ({ reactions }) };
  }),

  'chat:leave': spec('event', leavePayload, async (ctx, socket, { code }) => {
    await ctx.join.leave(socket, code);
    return { reply: () => ({}) };
  }),
};

/**
 * One event: rate limit, validation, the service call, the ack. Payloads are whatever a client
 * sent (not the declared types): anything malformed is answered with an error ack; an event
 * without an ack callback cannot be answered and is dropped. Runs on the tick after the packet, and
 * only while the socket is connected, as socket.io's own event listeners do.
 */
function handle(ctx: HandlerContext, socket: RealtimeSocket, event: keyof ClientToServerEvents, args: unknown[]): void {
  if (!socket.connected) return;
  const { kind, schema, run } = EVENTS[event];
  const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (res: object) => void) : undefined;
  if (!ack) {
    ctx.log.debug({ event, socket: socket.id }, 'event without an ack callback dropped');
    return;
  }
  let timer: ((labels: { result: 'ok' | 'error' }) => void) | null = metrics.socketEventDuration.startTimer({ event });
  const answer = (res: object, result: 'ok' | 'error') => {
    timer?.({ result }); // once, even if the ok ack throws and an error ack follows
    timer = null;
    ack(res);
  };
  ctx.inFlight.begin();
  void (async () => {
    try {
      if (ctx.draining()) throw AppError.unavailable('the server is shutting down; reconnect and retry');
      const wait = ctx.limits.take(kind, socket.id);
      if (wait > 0) throw AppError.rateLimited(wait);
      const payload = args[0];
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw AppError.invalidInput(`the ${event} payload must be an object`);
      }
      const { reply, after } = await run(ctx, socket, inputs.parseInput(schema, payload), traceCarrier(payload as Record<string, unknown>));
      answer({ ok: true, ...reply() }, 'ok');
      after?.();
    } catch (thrown) {
      const err = thrown instanceof AppError ? thrown : (databaseUnavailable(thrown) ?? thrown);
      if (!(err instanceof AppError)) ctx.log.error({ err, event }, 'socket event failed');
      answer(errorAck(err), 'error');
    } finally {
      ctx.inFlight.end();
    }
  })().catch((err) => ctx.log.error({ err, event }, 'socket ack failed'));
}

/** W3C trace context a client put in an event's payload (`traceparent`, `tracestate`), if any. */
function traceCarrier(payload: Record<string, unknown>): TraceCarrier | undefined {
  const { traceparent, tracestate } = payload;
  if (typeof traceparent !== 'string' || traceparent.length > 128) return undefined;
  return typeof tracestate === 'string' && tracestate.length <= 512 ? { traceparent, tracestate } : { traceparent };
}

/** messaging.* attributes of a client event's span (OpenTelemetry's messaging conventions). */
function eventAttributes(event: keyof ClientToServerEvents, code: string) {
  return {
    [ATTR.chatCode]: code,
    [ATTR.messagingSystem]: 'socket.io',
    [ATTR.messagingOperationType]: 'process',
    [ATTR.messagingOperationName]: event,
    [ATTR.messagingDestination]: code,
  };
}

/**
 * The listener of every client event (socket.onAny), made once per server and shared by all its
 * connections: one listener per socket instead of a closure per event and socket, a few hundred
 * bytes of each idle connection (docs/benchmark.md, idle memory).
 */
export function eventListener(ctx: HandlerContext): (this: RealtimeSocket, event: string, ...args: unknown[]) => void {
  return function onEvent(this: RealtimeSocket, event: string, ...args: unknown[]) {
    if (Object.hasOwn(EVENTS, event)) {
      process.nextTick(handle, ctx, this, event as keyof ClientToServerEvents, args);
      return;
    }
    // Any other event that waits for an ack gets one, instead of a client timing out on a typo or
    // on a packet over the size limit (the decoder delivers that one as OVERSIZED_EVENT); a stream
    // of them is refused like any flood.
    const ack = args[args.length - 1];
    const wait = ctx.limits.take('unknown', this.id);
    let err: AppError;
    if (wait > 0) err = AppError.rateLimited(wait);
    else if (event === OVERSIZED_EVENT) err = AppError.payloadTooLarge(`the packet is over the ${ctx.limits.maxPayloadBytes}-byte limit`);
    else err = AppError.notFound(`event ${JSON.stringify(event).slice(0, 80)}`);
    if (typeof ack === 'function') ack(errorAck(err));
  };
}
