// Monitoring on vs off is measured by bench/monitoring-cost.ts (its own author's file). This hook
// calls its `measureMonitoringCost(opts)` when the file exists, and reports "not measured" otherwise.
import type { Watched } from './cpu';
import type { Room } from './fixtures';
import type { MonitoringFigure } from './report';
import type { BenchSettings } from './settings';

/** Everything the run can offer the measurement; it takes what it needs. */
export interface MonitoringCostOptions {
  settings: BenchSettings;
  /** the running ChatPop server (monitoring off at start; toggled with PUT /admin/settings) */
  url: string;
  serverPid: number;
  adminToken: string;
  /** the environment that server was started with, for starting another like it */
  serverEnv: Record<string, string>;
  /** chats with joined participants' session tokens */
  rooms: Room[];
  /** registers a load process so the report shows its CPU */
  watch: (w: Watched) => () => void;
}

type Measure = (opts: MonitoringCostOptions) => Promise<MonitoringFigure>;

export async function measureMonitoring(opts: MonitoringCostOptions): Promise<MonitoringFigure | null> {
  let measure: Measure | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    measure = (require('./monitoring-cost') as { measureMonitoringCost?: Measure }).measureMonitoringCost;
  } catch (err) {
    // Only "the file is not there" means not measured; an error inside it is a failure to report.
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes('monitoring-cost')) return null;
    throw err;
  }
  // TODO(monitoring-cost.ts): remove the null branch once the file exists.
  return measure ? measure(opts) : null;
}
