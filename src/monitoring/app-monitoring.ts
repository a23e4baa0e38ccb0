import type { CacheEngine, RedisEngine } from '../cache';
import type { Config } from '../config';
import type { Orm } from '../db';
import type { Logger } from '../logger';
import { AppMetrics, metrics, startProcessMetrics } from './metrics';
import type { Monitor } from './monitor';
import { MonitoringService } from './monitoring-service';
import { DatabaseSettingsStore, RedisSettingsStore } from './settings-store';
import { RedisSnapshotBoard } from './snapshot-board';

export interface AppMonitoringDeps {
  monitor: Monitor;
  config: Config;
  orm: Orm;
  cache: CacheEngine;
  /** How many chats wait on the repair queue (a gauge of /metrics). */
  repairDepth: () => Promise<number>;
  /** Subscribes to committed sends (a counter of /metrics); returns the unsubscribe. */
  onSent: (count: (channel: string, messages: number) => void) => () => void;
  log: Logger;
  /** Passed to MonitoringService. @default 2000 */
  pollMs?: number;
  publishMs?: number;
}

/** The monitor wired into one app: the service behind the admin routes and the `/metrics` text. */
export interface AppMonitoring {
  service: MonitoringService;
  metrics: AppMetrics;
  close(): Promise<void>;
}

/**
 * Wires a monitor into one app: the shared switch and the snapshot board live in Redis when there
 * is one (the cache engine's connection), else the switch lives in the database and the view is
 * this pod alone. Resolves once the stored switch is applied.
 */
export async function startAppMonitoring(deps: AppMonitoringDeps): Promise<AppMonitoring> {
  const { monitor } = deps;
  const client = deps.cache.kind === 'redis' ? (deps.cache as RedisEngine).client : null;
  const service = new MonitoringService({
    monitor,
    settings: client ? new RedisSettingsStore(client) : new DatabaseSettingsStore(deps.orm),
    board: client ? new RedisSnapshotBoard(client) : null,
    defaults: { enable_monitoring: deps.config.enableMonitoring },
    log: deps.log,
    pollMs: deps.pollMs,
    publishMs: deps.publishMs,
  });
  startProcessMetrics();
  const appMetrics = new AppMetrics({ monitor, repairDepth: deps.repairDepth });
  const stopCounting = deps.onSent((channel, messages) => metrics.messagesSent.inc({ channel }, messages));
  await service.start();
  return {
    service,
    metrics: appMetrics,
    async close() {
      stopCounting();
      await service.close();
    },
  };
}
