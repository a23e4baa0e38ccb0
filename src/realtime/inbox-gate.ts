import { keys, type RedisClient } from '../cache';

/**
 * One pod at a time gathers a chat's inbox news: the pod that claims the chat's window tells the
 * members once the window has passed; pods whose claim fails leave their change to it.
 */
export interface InboxGate {
  /** true when this pod now holds the chat's window for `ms`; false while another claim holds it */
  claim(code: string, ms: number): Promise<boolean>;
}

/** Shared by every pod: `SET NX PX` on the chat's window key. */
export class RedisInboxGate implements InboxGate {
  constructor(private readonly client: RedisClient) {}

  async claim(code: string, ms: number): Promise<boolean> {
    return (await this.client.set(keys.inboxWindow(code), '1', 'PX', ms, 'NX')) === 'OK';
  }
}

/** The single-process gate, for running without Redis. */
export class MemoryInboxGate implements InboxGate {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(code: string, ms: number): Promise<boolean> {
    const now = this.now();
    if ((this.until.get(code) ?? 0) > now) return false;
    if (this.until.size > 10_000) for (const [c, t] of this.until) if (t <= now) this.until.delete(c);
    this.until.set(code, now + ms);
    return true;
  }
}
