// What else ran on this machine while the bench did: the processes it did not start that took the
// most CPU over the run, and the kernel's DAMON memory monitor when it is on. On a 2-core machine one
// of them holding a core for a few tens of milliseconds stalls every process measured, and shows up
// in the latency tails (docs/benchmark.md, "Sixth pass").
import fs from 'node:fs';
import path from 'node:path';
import { allProcesses, processTree, type ProcStat } from './cpu';

export interface OtherProcess {
  pid: number;
  name: string;
  /** a kernel thread (a child of kthreadd), not a program someone started */
  kernel_thread: boolean;
  /** CPU over the run, % of one core */
  cpu_pct: number;
}

export interface DamonState {
  /** kdamond threads that are on */
  running: number;
  /** how often each samples memory accesses, ms (the first context's) */
  sample_ms: number | null;
  /** what its schemes do with what it finds (e.g. `pageout`: proactive reclaim) */
  actions: string[];
  /** the kdamond threads' CPU per sample over the run, ms (null when the rate is unknown) */
  cpu_ms_per_sample: number | null;
}

export interface MachineFigure {
  seconds: number;
  /** processes the bench did not start, at or above MIN_PCT of one core over the run, busiest first */
  busiest_others: OtherProcess[];
  /** null: DAMON is not on, or this kernel does not have it */
  damon: DamonState | null;
}

const KTHREADD = 2;
const MIN_PCT = 0.5;
const DAMON_ADMIN = '/sys/kernel/mm/damon/admin/kdamonds';

export class MachineWatch {
  private before = new Map<number, ProcStat>();
  private startedAt = 0;

  start(): void {
    this.before = allProcesses();
    this.startedAt = performance.now();
  }

  /** `ours`: the pids whose process trees the bench started or runs in (their CPU is reported elsewhere). */
  stop(ours: number[]): MachineFigure {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const now = allProcesses();
    const excluded = new Set(ours.flatMap((pid) => processTree(pid, now)));
    // CPU seconds since start(); a process that started later counts from zero.
    const used = (pid: number, st: ProcStat) => st.cpu - (this.before.get(pid)?.cpu ?? 0);
    const others: OtherProcess[] = [];
    for (const [pid, st] of now) {
      if (excluded.has(pid)) continue;
      const pct = (100 * used(pid, st)) / seconds;
      if (pct >= MIN_PCT) others.push({ pid, name: st.name, kernel_thread: st.ppid === KTHREADD, cpu_pct: Math.round(pct * 10) / 10 });
    }
    others.sort((a, b) => b.cpu_pct - a.cpu_pct);
    const damon = readDamon();
    if (damon) {
      const kdamond = [...now].filter(([, st]) => st.name.startsWith('kdamond')).reduce((sum, [pid, st]) => sum + used(pid, st), 0);
      const samples = damon.sample_ms ? (seconds * 1000) / damon.sample_ms : 0;
      damon.cpu_ms_per_sample = samples ? Math.round((kdamond * 1000) / samples) : null;
    }
    return { seconds: Math.round(seconds), busiest_others: others.slice(0, 5), damon };
  }
}

/** The DAMON sysfs admin interface, read as far as it goes; null when no kdamond is on. */
function readDamon(): DamonState | null {
  const read = (...p: string[]) => {
    try {
      return fs.readFileSync(path.join(DAMON_ADMIN, ...p), 'utf8').trim();
    } catch {
      return null;
    }
  };
  const count = Number(read('nr_kdamonds') ?? 0);
  const on = Array.from({ length: count }, (_, i) => String(i)).filter((i) => read(i, 'state') === 'on');
  if (!on.length) return null;
  const ctx = [on[0]!, 'contexts', '0'];
  const sampleUs = Number(read(...ctx, 'monitoring_attrs', 'intervals', 'sample_us'));
  const schemes = Number(read(...ctx, 'schemes', 'nr_schemes') ?? 0);
  const actions = Array.from({ length: schemes }, (_, i) => read(...ctx, 'schemes', String(i), 'action')).filter((a): a is string =>
    Boolean(a),
  );
  return { running: on.length, sample_ms: sampleUs > 0 ? sampleUs / 1000 : null, actions, cpu_ms_per_sample: null };
}
