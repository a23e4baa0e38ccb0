import type { Logger } from '../logger';
import type { Monitor } from './monitor';
import { buildMonitoringView, type MonitoringView, type ViewOptions } from './cluster-view';
import type { SettingsStore, SharedSettings } from './settings-store';
import type { SnapshotBoard } from './snapshot-board';
import { HISTORY_MS, PodHistory, mergeHistories, type HistoryPoint, type PodGauges } from './history';

export interface MonitoringServiceOptions {
  monitor: Monitor;
  /** The shared switch: Redis, or the database without Redis. */
  settings: SettingsStore;
  /** Other pods' snapshots; null without Redis (the view is then this pod alone). */
  board: SnapshotBoard | null;
  /** Settings nobody has written yet: ENABLE_MONITORING. */
  defaults: SharedSettings;
  log: Logger;
  /** How often the shared switch is read; the contract allows 5 s in all. @default 2000 */
  pollMs?: number;
  /** How often this pod publishes its snapshot. @default 2000 */
  publishMs?: number;
  /** Events per published snapshot: enough for the dashboard, small enough to publish often. @default 200 */
  publishEvents?: number;
  /** Sockets, repair queue and Redis memory, read at each publish. @default none known */
  gauges?: () => Promise<PodGauges>;
  /** Wall clock of the history points, epoch ms. @default Date.now */
  clock?: () => number;
}

const NO_GAUGES: PodGauges = { sockets_connected: null, repair_queue: null, redis: null };

/** Most events one view holds: the ring buffer's capacity. */
export const VIEW_EVENT_LIMIT = 1000;

/**
 * The monitor's place in the cluster: follows the shared run-time switch, publishes this pod's
 * snapshot and merges every pod's into the view `/admin/monitoring/api` serves.
 */
export class MonitoringService {
  readonly monitor: Monitor;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private pollFailing = false;
  private publishFailing = false;
  private publishing: Promise<void> | null = null;
  private readonly history = new PodHistory();
  private gauges: PodGauges = NO_GAUGES;

  constructor(private readonly options: MonitoringServiceOptions) {
    this.monitor = options.monitor;
  }

  /** Where the switch is stored. */
  get store(): SettingsStore['kind'] {
    return this.options.settings.kind;
  }

  /** Applies the stored switch once (so the first request already sees it), then keeps following it. */
  async start(): Promise<void> {
    await this.poll();
    await this.publish();
    this.every(this.options.pollMs ?? 2000, () => this.poll());
    // Without a board the timer still takes this pod's history points and gauges.
    this.every(this.options.publishMs ?? 2000, () => this.publish());
  }

  /** The shared settings as stored, defaults filled in. Throws when the store does not answer. */
  async settings(): Promise<SharedSettings> {
    return { ...this.options.defaults, ...(await this.options.settings.read()) };
  }

  /** Stores a change for every pod and applies it here at once; the others follow on their next poll. */
  async updateSettings(patch: Partial<SharedSettings>): Promise<SharedSettings> {
    await this.options.settings.write(patch);
    if (patch.enable_monitoring !== undefined) this.monitor.setEnabled(patch.enable_monitoring);
    void this.publish();
    return this.settings();
  }

  /** This pod's snapshot merged with every other pod's, with the cluster's history of the last 15 minutes. */
  async view(options: ViewOptions = {}): Promise<MonitoringView> {
    const local = { ...this.monitor.snapshot({ limit: VIEW_EVENT_LIMIT }), gauges: this.gauges };
    const now = this.now();
    let others: Awaited<ReturnType<SnapshotBoard['list']>> = [];
    let histories: HistoryPoint[][] = [];
    const board = this.options.board;
    if (board) {
      try {
        others = (await board.list()).filter((s) => s.pod !== local.pod);
        histories = board.histories ? await board.histories(others.map((s) => s.pod)) : [];
      } catch (err) {
        this.options.log.debug({ err }, 'monitor: other pods unreadable; showing this pod only');
      }
    }
    const view = buildMonitoringView(local, others, { limit: options.limit ?? VIEW_EVENT_LIMIT, chat: options.chat });
    const recent = (points: HistoryPoint[]) => points.filter((p) => now - p.t <= HISTORY_MS);
    return { ...view, history: mergeHistories([this.history.points(now), ...histories.map(recent)], this.options.publishMs ?? 2000) };
  }

  /** Stops following the switch and takes this pod off the board. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.publishing; // or it could put the pod back after the removal
    await this.options.board?.remove(this.monitor.pod).catch(() => undefined);
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const timer = setInterval(() => void fn(), ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const { enable_monitoring } = await this.settings();
      if (this.closed) return;
      if (enable_monitoring !== this.monitor.enabled) {
        this.options.log.info({ enable_monitoring, store: this.store }, 'monitor: switch changed');
        this.monitor.setEnabled(enable_monitoring);
      }
      if (this.pollFailing) this.options.log.info({ store: this.store }, 'monitor: settings store answers again');
      this.pollFailing = false;
    } catch (err) {
      if (this.closed) return; // the store closed under a poll in flight
      // Keep the current switch; warn once per outage, not every 2 s.
      if (!this.pollFailing)
        this.options.log.warn({ err, store: this.store }, 'monitor: cannot read the shared settings; keeping the current switch');
      this.pollFailing = true;
    }
  }

  private publish(): Promise<void> {
    const board = this.options.board;
    if (this.closed) return Promise.resolve();
    // One publish at a time: a slow Redis must not pile them up.
    if (this.publishing) return this.publishing;
    const run = (async () => {
      try {
        this.gauges = await this.readGauges();
        const snapshot = { ...this.monitor.snapshot({ limit: this.options.publishEvents ?? 200 }), gauges: this.gauges };
        const point = this.history.add(this.now(), snapshot.metrics, this.gauges);
        if (!board) return;
        await board.publish(snapshot, point);
        this.publishFailing = false;
      } catch (err) {
        if (!this.publishFailing) this.options.log.warn({ err }, 'monitor: cannot publish this pod snapshot');
        this.publishFailing = true;
      }
    })();
    this.publishing = run;
    void run.then(() => {
      if (this.publishing === run) this.publishing = null;
    });
    return run;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** The gauges; a source that fails leaves its fields unknown rather than the publish undone. */
  private async readGauges(): Promise<PodGauges> {
    if (!this.options.gauges) return NO_GAUGES;
    try {
      return await this.options.gauges();
    } catch (err) {
      this.options.log.debug({ err }, 'monitor: gauges unreadable');
      return NO_GAUGES;
    }
  }
}
