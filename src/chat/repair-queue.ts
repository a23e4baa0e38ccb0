import type { CacheEngine } from '../cache';
import { safeErrorText } from '../db-error';
import type { Logger } from '../logger';

export interface RepairStats {
  /** chats waiting here or in the shared queue */
  waiting: number;
  active: number;
  failed: number;
  repaired: number;
}

/**
 * Chats whose cache may be wrong or incomplete, rebuilt from the database in the background.
 * Codes wait in this process while the cache is unreachable (reads of those chats skip the cache
 * here), then their window meta is dropped — so no pod serves a stale window — and they move to
 * the engine's shared queue, which any pod drains.
 */
export class RepairQueue {
  private readonly local = new Set<string>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private active = 0;
  private failed = 0;
  private repaired = 0;

  constructor(
    private readonly engine: CacheEngine,
    private readonly rebuild: (code: string) => Promise<void>,
    private readonly log: Logger,
    /** how often the shared queue is polled and failures retried, ms @default 1000 */
    private readonly intervalMs = 1000,
  ) {}

  start() {
    this.timer = setInterval(() => void this.drain(), this.intervalMs);
    this.timer.unref();
  }

  enqueue(code: string) {
    this.local.add(code);
    void this.drain();
  }

  /** True while this process knows the chat's cache may be stale and has not handed it on yet. */
  suspects(code: string): boolean {
    return this.local.has(code);
  }

  async stats(): Promise<RepairStats> {
    let shared = 0;
    try {
      shared = await this.engine.repairDepth();
    } catch {
      /* unreachable cache: only the local part is known */
    }
    return { waiting: this.local.size + shared, active: this.active, failed: this.failed, repaired: this.repaired };
  }

  /** Resolves when nothing is waiting here or in the shared queue (tests and upgrades use it). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.drain();
      const s = await this.stats();
      if (s.waiting === 0 && s.active === 0) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async drain(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      if (this.local.size) {
        const codes = [...this.local];
        // Hide the possibly stale windows first, so no pod serves them while the rebuild waits.
        await Promise.all(codes.map((c) => this.engine.dropMeta(c)));
        await this.engine.pushRepair(codes);
        for (const c of codes) this.local.delete(c);
      }
      for (;;) {
        const batch = await this.engine.popRepair(20);
        if (!batch.length) break;
        await Promise.all(batch.map((code) => this.repairOne(code)));
      }
    } catch (err) {
      // The cache is unreachable: codes stay local and the timer tries again.
      this.log.debug({ err: safeErrorText(err) }, 'repair queue waits for the cache');
    } finally {
      this.running = false;
    }
  }

  private async repairOne(code: string) {
    this.active++;
    try {
      await this.rebuild(code);
      this.repaired++;
    } catch (err) {
      this.failed++;
      this.local.add(code);
      this.log.warn({ chat: code, err: safeErrorText(err) }, 'cache repair failed; will retry');
    } finally {
      this.active--;
    }
  }

  close() {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }
}
