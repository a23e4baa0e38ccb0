import { RateLimiter } from '../chat';
import { AppError } from '../errors';

/** What one connection may do. */
export interface RealtimeLimits {
  /**
   * Largest packet a client may send, bytes. A bigger event with an ack is answered
   * `payload_too_large` (read up to READ_CEILING times this, never parsed); any other, or one
   * bigger still, closes that client's connection, and only it. @default 65536
   */
  maxPayloadBytes: number;
  /** `message:send` per connection per 10 s (the send service also limits each participant). @default SEND_RATE_LIMIT (50) */
  sendsPer10s: number;
  /**
   * `chat:join` per connection per minute (a join reads history: it is the expensive event). A
   * reconnecting client rejoins all its chats at once. @default 2 × maxChats (200)
   */
  joinsPerMinute: number;
  /** Any other event per connection per 10 s. @default 100 */
  eventsPer10s: number;
  /** Chats one connection holds at once; a join beyond is refused with `limit_exceeded`. @default SOCKET_MAX_CHATS (100) */
  maxChats: number;
  /** Events the server does not know, per connection per minute. @default UNKNOWN_EVENT_LIMIT (20) */
  unknownEventsPerMinute: number;
  /** Connections one token (a user's, or a participant's session) may hold on this pod. @default SOCKETS_PER_SESSION (10) */
  socketsPerSession: number;
}

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxPayloadBytes: 64 * 1024,
  sendsPer10s: 50,
  joinsPerMinute: 200,
  eventsPer10s: 100,
  maxChats: 100,
  unknownEventsPerMinute: 20,
  socketsPerSession: 10,
};

/** How many times maxPayloadBytes the transport reads of a packet, so an oversized event can be answered. */
export const READ_CEILING = 4;

export type EventKind = 'send' | 'join' | 'event' | 'unknown';

/** Token buckets per connection, one per kind of event. */
export class ConnectionLimits {
  private readonly buckets: Record<EventKind, RateLimiter>;
  readonly maxPayloadBytes: number;

  constructor(limits: RealtimeLimits) {
    this.maxPayloadBytes = limits.maxPayloadBytes;
    this.buckets = {
      send: new RateLimiter(limits.sendsPer10s, 10),
      join: new RateLimiter(limits.joinsPerMinute, 60),
      event: new RateLimiter(limits.eventsPer10s, 10),
      unknown: new RateLimiter(limits.unknownEventsPerMinute, 60),
    };
  }

  /** 0 when the connection may go on, else the seconds to wait. */
  take(kind: EventKind, socketId: string): number {
    return this.buckets[kind].take(socketId);
  }

  /** The connection closed: its buckets go (socket ids are never reused). */
  forget(socketId: string): void {
    for (const bucket of Object.values(this.buckets)) bucket.forget(socketId);
  }
}

/** Seconds a client refused for too many connections is told to wait (it holds them until it closes one). */
const SOCKETS_RETRY_AFTER_S = 10;

/** Open connections per session (participant) on this pod. */
export class SessionSockets {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts one more connection of `holder`, or refuses it (rate_limited) when it holds `max` already. */
  admit(holder: string): void {
    const n = this.open.get(holder) ?? 0;
    if (n >= this.max) {
      throw new AppError('rate_limited', `at most ${this.max} connections per session token; close one first`, {
        retryAfterSeconds: SOCKETS_RETRY_AFTER_S,
      });
    }
    this.open.set(holder, n + 1);
  }

  /** One connection of `holder` admitted before is gone (once per connection). */
  closed(holder: string): void {
    const n = (this.open.get(holder) ?? 1) - 1;
    if (n > 0) this.open.set(holder, n);
    else this.open.delete(holder);
  }
}
