import { keys } from '../cache';
import type { Channel } from '../domain';
import { parseEntry } from './inspect-reports';
import { causeText } from './ops-error';
import type { OpsContext } from './ops-context';

/** How often `inspect --monitor` samples the window. @default 2000 */
export const MONITOR_INTERVAL_MS = 2000;

export interface MonitorTick {
  at: string;
  key: string;
  /** members in the window (tombstones included) */
  count: number;
  ttl_seconds: number;
  /** messages newer than anything the previous sample held */
  added: number;
  /** messages that became tombstones or left the window from inside its range (trimming is not deletion) */
  deleted: number;
  /** the window existed at the previous sample and is gone now */
  gone: boolean;
  /** set when the sample failed (the cache did not answer); the monitor keeps going */
  error?: string;
}

/** Samples one window and tells what changed since the previous sample. */
export class WindowMonitor {
  /** seq → deleted flag, at the previous sample; null before the first */
  private previous: Map<number, boolean> | null = null;
  readonly key: string;

  constructor(
    private readonly ctx: OpsContext,
    code: string,
    channel: Channel = 'main',
  ) {
    this.key = keys.window(code, channel);
  }

  async tick(now = new Date()): Promise<MonitorTick> {
    const base = { at: now.toISOString(), key: this.key, count: 0, ttl_seconds: -2, added: 0, deleted: 0, gone: false };
    let members;
    let ttl: number;
    try {
      const ks = await this.ctx.keyspace();
      [members, [ttl]] = await Promise.all([ks.range(this.key, 0, -1), ks.stat([this.key]).then((s) => [s[0]?.ttlSeconds ?? -2])]);
    } catch (err) {
      return { ...base, error: causeText(err) };
    }
    const current = new Map<number, boolean>();
    for (const m of members) current.set(m.score, parseEntry(m.member)?.deleted === true);
    const tick: MonitorTick = { ...base, count: members.length, ttl_seconds: ttl };
    const prev = this.previous;
    if (prev) {
      const prevMax = prev.size ? Math.max(...prev.keys()) : 0;
      const curMin = current.size ? Math.min(...current.keys()) : Infinity;
      for (const [seq, deleted] of current) {
        // A message sent and deleted between two samples counts as both.
        if (!prev.has(seq) && seq > prevMax) {
          tick.added++;
          if (deleted) tick.deleted++;
        }
        if (deleted && prev.get(seq) === false) tick.deleted++;
      }
      for (const [seq, deleted] of prev) if (!deleted && !current.has(seq) && seq >= curMin) tick.deleted++;
      tick.gone = prev.size > 0 && current.size === 0;
    }
    this.previous = current;
    return tick;
  }
}

/** Samples now and then every `intervalMs` until `signal` aborts; resolves with the number of samples. */
export async function runMonitor(
  monitor: WindowMonitor,
  onTick: (t: MonitorTick) => void,
  signal: AbortSignal,
  intervalMs = MONITOR_INTERVAL_MS,
): Promise<number> {
  let samples = 0;
  while (!signal.aborted) {
    const started = Date.now();
    onTick(await monitor.tick());
    samples++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, intervalMs - (Date.now() - started)));
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
  return samples;
}
