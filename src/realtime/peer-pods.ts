// Whether any other pod hears this pod's server-side events. A pod alone on its Redis (one replica,
// or the bench) would otherwise publish every commit's announcement for nobody: about 5 % of a busy
// pod's CPU went to encoding and writing them.
//
// The count is the adapter's serverCount() (PUBSUB NUMSUB of its request channel: the pods
// subscribed), asked every `intervalMs`. A pod that starts says so (`pod:hello`) before it serves any
// socket, so the others publish again at once rather than at their next count; any server-side event
// from another pod proves one is there too. A count asked before the last such news is ignored:
// it may predate the newcomer's subscription. Should an announcement still be skipped that a new
// pod needed (its hello still on the way), its sequencer reads the missing seqs from history once
// the next announcement shows the gap, as it does for any lost announcement.

/** How often a pod counts the pods subscribed to its adapter, ms. @default 1000 */
export const PEER_COUNT_INTERVAL_MS = 1000;

export class PeerPods {
  private others: boolean;
  /** when news of another pod last came (a hello or any of its events), ms */
  private heardAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * `count`: the pods subscribed, this one included (the adapter's serverCount); null: there is no
   * other pod to tell (the in-memory adapter), and `present` stays false.
   */
  constructor(
    private readonly count: (() => Promise<number>) | null,
    private readonly intervalMs = PEER_COUNT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {
    // Until the first count answers, assume there are others: an announcement too many costs nothing.
    this.others = count !== null;
  }

  /** true while another pod may hear this pod's server-side events. */
  get present(): boolean {
    return this.others;
  }

  /** Starts counting; the first count at once. */
  start(): void {
    if (this.count && !this.closed) void this.countNow();
  }

  /** Another pod spoke (a hello, an announcement): it is there. */
  heard(): void {
    if (!this.count) return;
    this.heardAt = this.now();
    this.others = true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async countNow(): Promise<void> {
    const asked = this.now();
    try {
      const pods = await this.count!();
      // A newcomer's hello that came while the count was on its way: the count may not include it.
      if (this.heardAt < asked) this.others = pods > 1;
    } catch {
      this.others = true; // Redis unreachable: keep announcing (the adapter drops what it cannot send)
    }
    if (this.closed) return;
    this.timer = setTimeout(() => void this.countNow(), this.intervalMs);
    this.timer.unref();
  }
}
