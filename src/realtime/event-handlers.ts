import type { z } from 'zod';
import { inputs, type ChatServices } from '../chat';
import { databaseUnavailable } from '../db';
import { AppError, toErrorBody } from '../errors';
import type { Logger } from '../logger';
import { metrics } from '../monitoring';
import { ATTR, traced } from '../telemetry';
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

/**
 * Registers one event: rate limit, validation, the service call, the ack. Payloads are whatever a
 * client sent (not the declared types): anything malformed is answered with an error ack; an
 * event without an ack callback cannot be answered and is dropped.
 */
function handle<S extends z.ZodType>(
  ctx: HandlerContext,
  socket: RealtimeSocket,
  event: keyof ClientToServerEvents,
  kind: EventKind,
  schema: S,
  run: (input: z.output<S>) => Promise<Answer<object>>,
): void {
  socket.on(event, (...args: unknown[]) => {
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
        const { reply, after } = await run(inputs.parseInput(schema, payload));
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
  });
}

/** The client → server events of docs/contract.md on one connection. */
export function registerHandlers(ctx: HandlerContext, socket: RealtimeSocket): void {
  const { chat, join, access } = ctx;

  handle(ctx, socket, 'chat:join', 'join', joinPayload, (input) =>
    traced('socket.join', { [ATTR.chatCode]: input.code }, () => join.join(socket, input)),
  );

  handle(ctx, socket, 'message:send', 'send', sendPayload, async ({ code, ...input }) => {
    const session = await access.session(socket, code);
    const { message } = await traced('socket.send', { [ATTR.chatCode]: code }, () => chat.send.send(session, code, input));
    return { reply: () => ({ message }) };
  });

  handle(ctx, socket, 'message:react', 'event', reactPayload, async ({ code, message_id, emoji, op }) => {
    const reactions = await chat.reactions.react(await access.session(socket, code), code, message_id, emoji, op);
    return { reply: () => ({ reactions }) };
  });

  handle(ctx, socket, 'chat:leave', 'event', leavePayload, async ({ code }) => {
    await join.leave(socket, code);
    return { reply: () => ({}) };
  });

  // Any other event that waits for an ack gets one, instead of a client timing out on a typo or
  // on a packet over the size limit (the decoder delivers that one as OVERSIZED_EVENT); a stream
  // of them is refused like any flood.
  socket.onAny((event: string, ...args: unknown[]) => {
    if (socket.listenerCount(event as keyof ClientToServerEvents) > 0) return; // one of the above
    const ack = args[args.length - 1];
    const wait = ctx.limits.take('unknown', socket.id);
    let err: AppError;
    if (wait > 0) err = AppError.rateLimited(wait);
    else if (event === OVERSIZED_EVENT) err = AppError.payloadTooLarge(`the packet is over the ${ctx.limits.maxPayloadBytes}-byte limit`);
    else err = AppError.notFound(`event ${JSON.stringify(event).slice(0, 80)}`);
    if (typeof ack === 'function') ack(errorAck(err));
  });
}
