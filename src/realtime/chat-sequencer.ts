// Ordered delivery, one chat channel on one pod.
//
// Why: the database hands out `seq` under the chat's row lock, so commits are in seq order, but each
// pod announces its own commits, and two pods' announcements cross Redis independently: pod B's
// seq 8 can reach pod C before pod A's seq 7, and a pod killed between its commit and its publish
// never announces at all. Emitting on arrival would break "each client gets every message once, in
// seq order".
//
// How: every pod keeps, per chat channel with local members, the last seq it delivered to that
// room. A message with exactly the next seq is emitted at once; a later one waits in `pending`; an
// older or repeated one is dropped (that is what makes delivery exactly-once per connection). When
// the next seq does not turn up within `gapWaitMs`, the gap is read from history (cache first, the
// database behind it: the truth), so a lost announcement delays delivery a little but never
// reorders or drops it. Announcements that are lost at the tail (nothing comes after them) are
// caught by one history read once the chat has been quiet for `tailCheckMs`. Room emits are local
// (`io.local`), so order on the wire to each client is the order of `deliver` calls here.
//
// The last delivered messages (at most `recentSize`, and at most `recentChars` of content together)
// are kept so that a socket joining mid-stream can be brought from what it read in history up to the
// stream without another query; a joiner further behind reads history instead.
import type { MessageView } from '../chat';

export interface SequencerOptions {
  /** How long a later message waits for the missing seq before the gap is read from history, ms. @default 100 */
  gapWaitMs: number;
  /** Pause before retrying a failed or fruitless history read, ms. @default 500 */
  retryMs: number;
  /** Delivered messages kept for joining sockets. @default 512 */
  recentSize: number;
  /**
   * Content characters those messages may hold together, the oldest going first: 512 messages of
   * 4000 astral characters would otherwise hold 8 MB per room. @default 65536
   */
  recentChars: number;
  /** Quiet time after the last delivery before one history read checks for lost announcements, ms. @default 1000 */
  tailCheckMs: number;
}

export const DEFAULT_SEQUENCER_OPTIONS: SequencerOptions = {
  gapWaitMs: 100,
  retryMs: 500,
  recentSize: 512,
  recentChars: 65_536,
  tailCheckMs: 1000,
};

/** Counters one pod keeps over all its sequencers. */
export interface DeliveryStats {
  /** messages emitted to local rooms */
  delivered: number;
  /** of those, how many came from a history read rather than an announcement */
  fromHistory: number;
  historyReads: number;
}

export const newDeliveryStats = (): DeliveryStats => ({ delivered: 0, fromHistory: 0, historyReads: 0 });

/** Committed messages with seq > afterSeq, ascending (HistoryService.missedSince). */
export type ReadAfter = (afterSeq: number) => Promise<MessageView[]>;

export class ChatSequencer {
  private delivered: number | null = null;
  private readonly pending = new Map<number, MessageView>();
  /** pending seqs that a history read brought */
  private readonly fromRead = new Set<number>();
  private readonly recent: MessageView[] = [];
  /** content characters held in `recent` */
  private heldChars = 0;
  /** callbacks waiting for a seq to be delivered (changes of messages this pod has not shown yet) */
  private readonly waiting = new Map<number, (() => void)[]>();
  private gapTimer: NodeJS.Timeout | undefined;
  private tailTimer: NodeJS.Timeout | undefined;
  private reading = false;
  private closed = false;

  constructor(
    private readonly readAfter: ReadAfter,
    private readonly deliver: (message: MessageView) => void,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly opts: SequencerOptions = DEFAULT_SEQUENCER_OPTIONS,
    private readonly stats: DeliveryStats = newDeliveryStats(),
  ) {}

  /** The last seq emitted to the room, or null before `start`. */
  get lastDelivered(): number | null {
    return this.delivered;
  }

  /** Messages waiting for an earlier seq. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Begins the stream after `seq` (what the first joiner read from history); later calls do nothing. */
  start(seq: number): void {
    if (this.delivered !== null || this.closed) return;
    this.delivered = seq;
    this.flush();
  }

  /** An announced (or read) committed message. */
  push(message: MessageView): void {
    if (this.closed) return;
    if (this.delivered !== null && message.seq <= this.delivered) return;
    // The common case, the next seq with nothing waiting, goes out without a round trip through
    // `pending`: every emptying of a Map allocates it a new table.
    if (this.delivered !== null && message.seq === this.delivered + 1 && this.pending.size === 0) {
      this.emit(message);
      return this.flush(this.opts.gapWaitMs, true);
    }
    if (!this.pending.has(message.seq)) this.pending.set(message.seq, message);
    if (this.delivered !== null) this.flush();
  }

  /** Runs `fn` once `seq` has been delivered, at once if it has: a change never overtakes its message. */
  afterDelivered(seq: number, fn: () => void): void {
    if (this.closed) return;
    if (this.delivered !== null && seq <= this.delivered) return fn();
    const list = this.waiting.get(seq);
    if (list) list.push(fn);
    else this.waiting.set(seq, [fn]);
  }

  /**
   * Delivered messages with seq > afterSeq, from memory; null when they are no longer (or not yet) held.
   */
  recentAfter(afterSeq: number): MessageView[] | null {
    if (this.delivered === null) return null;
    if (afterSeq >= this.delivered) return [];
    const first = this.recent[0]?.seq;
    if (first === undefined || first > afterSeq + 1) return null;
    return this.recent.slice(afterSeq + 1 - first);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.gapTimer);
    clearTimeout(this.tailTimer);
    this.pending.clear();
    this.fromRead.clear();
    this.waiting.clear();
  }

  private flush(gapDelayMs = this.opts.gapWaitMs, progressed = false): void {
    let next: MessageView | undefined;
    while ((next = this.pending.get(this.delivered! + 1))) {
      this.pending.delete(next.seq);
      this.emit(next);
      progressed = true;
    }
    for (const seq of this.pending.keys()) {
      if (seq > this.delivered!) continue;
      this.pending.delete(seq);
      this.fromRead.delete(seq);
    }
    this.releaseWaiting();
    if (this.pending.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else if (!this.gapTimer) {
      this.gapTimer = this.timer(() => {
        this.gapTimer = undefined;
        return this.read();
      }, gapDelayMs);
    }
    if (progressed) this.armTailCheck();
  }

  private emit(message: MessageView): void {
    this.delivered = message.seq;
    this.stats.delivered++;
    if (this.fromRead.delete(message.seq)) this.stats.fromHistory++;
    this.recent.push(message);
    this.heldChars += message.content.length;
    while (this.recent.length > this.opts.recentSize || this.heldChars > this.opts.recentChars) {
      this.heldChars -= this.recent.shift()!.content.length;
    }
    this.deliver(message);
  }

  private releaseWaiting(): void {
    if (this.waiting.size === 0) return;
    const ready = [...this.waiting.keys()].filter((seq) => seq <= this.delivered!).sort((a, b) => a - b);
    for (const seq of ready) {
      const fns = this.waiting.get(seq)!;
      this.waiting.delete(seq);
      for (const fn of fns) fn();
    }
  }

  private armTailCheck(): void {
    // One timer, pushed back on every delivery: refresh() re-arms it without a new Timeout.
    if (this.tailTimer) return void this.tailTimer.refresh();
    this.tailTimer = this.timer(async () => {
      this.tailTimer = undefined;
      if (this.pending.size === 0) await this.read();
    }, this.opts.tailCheckMs);
  }

  /** One history read after the last delivered seq; whatever it brings is delivered in order. */
  private async read(): Promise<void> {
    if (this.reading || this.closed || this.delivered === null) return;
    this.reading = true;
    this.stats.historyReads++;
    const before = this.delivered;
    let messages: MessageView[] = [];
    try {
      messages = await this.readAfter(before);
    } catch (err) {
      this.onError(err);
    } finally {
      this.reading = false;
    }
    if (this.closed) return;
    for (const m of messages) {
      if (m.seq <= this.delivered || this.pending.has(m.seq)) continue;
      this.pending.set(m.seq, m);
      this.fromRead.add(m.seq);
    }
    // A gap left after a read that brought something is the next page: read on at once. A read that
    // brought nothing means the history is behind (cache repair, database down): try again later.
    this.flush(this.delivered > before ? 0 : this.opts.retryMs);
  }

  private timer(fn: () => unknown, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => void fn(), ms);
    t.unref();
    return t;
  }
}
