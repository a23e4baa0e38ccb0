// Clients that behave as the SDK does when their server or Redis goes away: a socket that
// reconnects and recovers with chat:join {since_seq}, and a sender that resends under the same
// client_id until acked. Soak tests compare what each one saw with the database.
import { io } from 'socket.io-client';
import type { MessageView } from '../../src/chat';
import type { Channel } from '../../src/domain';
import { history, until, type ChatSocket } from '../support/sockets';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const JOIN_TIMEOUT_MS = 10_000;
const JOIN_ATTEMPTS = 20;
const PAGE_ATTEMPTS = 5;

/**
 * A socket that reconnects by itself (to the same address) and, on every connect, joins the chat
 * with since_seq = the last main seq it holds; when the join could not replay all it missed
 * (`recovered: false`), it pages the rest over REST, holding live messages back meanwhile. Each
 * channel keeps its messages in arrival order, each seq once: a join's `missed` may overlap what
 * then arrives live, and the contract lets clients drop a seq they already hold.
 */
export class RecoveringClient {
  readonly socket: ChatSocket;
  /** per channel, in the order they came, each seq once */
  readonly held: Record<Channel, MessageView[]> = { main: [], backroom: [] };
  /** copies of a seq already held, dropped */
  dropped = 0;
  /** a live `message:new` that came twice on one connection, which the contract rules out */
  repeatedLive = 0;
  /** joins answered ok, the first one included */
  joins = 0;
  /** joins answered `recovered: false`, whose rest came from REST */
  paged = 0;
  /** join attempts refused or unanswered (each one retried while connected, 20 attempts at most) */
  joinFailures = 0;
  /** REST pages that failed while paging a gap */
  pageFailures = 0;
  private readonly seqs: Record<Channel, Set<number>> = { main: new Set(), backroom: new Set() };
  /** `channel:seq` of the live messages on the current connection */
  private live = new Set<string>();
  /** live messages held back while the rest of a gap comes over REST */
  private waiting: MessageView[] | null = null;

  constructor(
    private readonly base: string,
    token: string,
    readonly code: string,
  ) {
    this.socket = io(base, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
    });
    this.socket.on('message:new', (m) => {
      const key = `${m.channel}:${m.seq}`;
      if (this.live.has(key)) this.repeatedLive++;
      this.live.add(key);
      if (this.waiting) this.waiting.push(m);
      else this.keep(m);
    });
    this.socket.on('connect', () => {
      this.live = new Set();
      void this.rejoin();
    });
  }

  /** Resolves once `n` joins have been answered ok. */
  untilJoined(n: number, timeoutMs = 30_000): Promise<void> {
    return until(() => this.joins >= n, `join ${n} of ${this.code}`, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }

  private async rejoin(): Promise<void> {
    for (let attempt = 1; attempt <= JOIN_ATTEMPTS && this.socket.connected; attempt++) {
      const unrecovered = await this.join();
      if (unrecovered === undefined) {
        this.joinFailures++;
        await sleep(200);
        continue;
      }
      if (unrecovered) await this.pageRest();
      return;
    }
  }

  /** Joins with since_seq; resolves whether the rest must come from REST, or undefined on failure. */
  private join(): Promise<boolean | undefined> {
    const payload = { code: this.code, since_seq: this.held.main.at(-1)?.seq ?? 0 };
    return new Promise((resolve) => {
      this.socket.timeout(JOIN_TIMEOUT_MS).emit('chat:join', payload, (err, ack) => {
        if (err || !ack.ok) return resolve(undefined);
        // In the ack's own turn: live messages after it may arrive in the same read.
        this.joins++;
        for (const m of ack.missed) this.keep(m);
        if (!ack.recovered) this.waiting = [];
        resolve(!ack.recovered);
      });
    });
  }

  private async pageRest(): Promise<void> {
    this.paged++;
    for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
      try {
        for (const m of await history(this.base, this.code, { after: this.held.main.at(-1)?.seq ?? 0 })) this.keep(m);
        break;
      } catch {
        this.pageFailures++; // retried; should every attempt fail, the hole stays for the test to see
        await sleep(200);
      }
    }
    for (const m of this.waiting ?? []) this.keep(m);
    this.waiting = null;
  }

  private keep(m: MessageView): void {
    if (this.seqs[m.channel].has(m.seq)) {
      this.dropped++;
      return;
    }
    this.seqs[m.channel].add(m.seq);
    this.held[m.channel].push(m);
  }
}

export interface RetryingSenderOptions {
  /** how many messages to send, each under its own client_id */
  budget: number;
  /** @default 'main' */
  channel?: Channel;
  /** how long to wait for an ack before sending again @default 4000 */
  ackTimeoutMs?: number;
  /** how long one message may stay unacked before the sender gives up on it (and stops) @default 30000 */
  giveUpMs?: number;
  /** the client's pause after each acked message, so traffic spans the faults @default 0 */
  pauseMs?: number;
  /** messages in flight at once, so a fault catches several @default 1 */
  lanes?: number;
}

export interface AckedSend {
  clientId: string;
  content: string;
  message: MessageView;
}

/**
 * Sends its messages (`lanes` at a time), each under its own client_id (`label-N`), sending a
 * message again under the same client_id (after a timeout, a refusal, or once a connection is
 * back; on the next of its connections, when it has several) until it is acked. stop() lets the
 * messages in flight finish, so every message it started is acked in the end, unless given up on
 * (`abandoned`).
 */
export class RetryingSender {
  readonly acked: AckedSend[] = [];
  /** sends of a client_id after its first */
  resends = 0;
  /** resends answered with the message stored before them: the first send had committed, its ack was lost */
  replayed = 0;
  /** sends waiting for their ack now */
  inFlight = 0;
  /** why sends failed: `timeout` or the ack's error code, with how often */
  readonly failures = new Map<string, number>();
  /** client_ids never acked within giveUpMs */
  readonly abandoned: string[] = [];
  readonly done: Promise<void>;
  private readonly sockets: ChatSocket[];
  private stopped = false;
  private next = 0;

  constructor(
    /** one connection, or several of one participant: a send goes again on the next one that is up */
    sockets: ChatSocket | ChatSocket[],
    private readonly code: string,
    readonly label: string,
    private readonly opts: RetryingSenderOptions,
  ) {
    this.sockets = Array.isArray(sockets) ? sockets : [sockets];
    const lanes = Array.from({ length: opts.lanes ?? 1 }, () => this.lane());
    this.done = Promise.all(lanes).then(() => undefined);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async lane(): Promise<void> {
    while (this.next < this.opts.budget && !this.stopped && !this.abandoned.length) {
      const i = this.next++;
      const clientId = `${this.label}-${i}`;
      const content = `${this.label} #${i}`;
      const message = await this.deliver(clientId, content);
      if (!message) {
        this.abandoned.push(clientId);
        return;
      }
      this.acked.push({ clientId, content, message });
      if (this.opts.pauseMs) await sleep(this.opts.pauseMs);
    }
  }

  private async deliver(clientId: string, content: string): Promise<MessageView | undefined> {
    const deadline = Date.now() + (this.opts.giveUpMs ?? 30_000);
    let resentAt: number | undefined;
    for (let sent = 0; Date.now() < deadline;) {
      // Waits for a connection rather than letting socket.io buffer the send.
      const socket = this.connected(sent);
      if (!socket) {
        await sleep(50);
        continue;
      }
      if (sent++ > 0) {
        this.resends++;
        resentAt ??= Date.now();
      }
      let backoffMs = 0;
      this.inFlight++;
      try {
        const ack = await socket
          .timeout(this.opts.ackTimeoutMs ?? 4000)
          .emitWithAck('message:send', { code: this.code, content, client_id: clientId, channel: this.opts.channel ?? 'main' });
        if (ack.ok) {
          // Server and test share a clock: on loopback, one machine.
          if (resentAt !== undefined && Date.parse(ack.message.created_at) < resentAt) this.replayed++;
          return ack.message;
        }
        this.fail(ack.error.code);
        backoffMs = (ack.error.retry_after ?? 0.1) * 1000;
      } catch {
        this.fail('timeout');
      } finally {
        this.inFlight--;
      }
      if (backoffMs) await sleep(backoffMs);
    }
    return undefined;
  }

  /** The first connected socket from the `sent`-th one on, round the list: each resend tries the next. */
  private connected(sent: number): ChatSocket | undefined {
    const n = this.sockets.length;
    for (let i = 0; i < n; i++) {
      const socket = this.sockets[(sent + i) % n];
      if (socket.connected) return socket;
    }
    return undefined;
  }

  private fail(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }
}
