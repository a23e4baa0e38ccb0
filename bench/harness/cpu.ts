// CPU time and memory of processes on this machine, read from /proc: the bench reports how much of
// the 2 cores each process (server, load generators, Redis, PostgreSQL) used in each phase.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux we run on

/** What /proc/PID/stat says of a process: its command name, parent and user + system CPU seconds. */
export interface ProcStat {
  name: string;
  ppid: number;
  cpu: number;
}

/** /proc/PID/stat of one pid, or null when it is gone. */
export function readStat(pid: number | string): ProcStat | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the other fields follow its closing parenthesis.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return {
      name: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

/** Every process on the machine, by pid. */
export function allProcesses(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(entry);
    if (st) out.set(Number(entry), st);
  }
  return out;
}

/** user + system CPU seconds of one pid, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  return readStat(pid)?.cpu ?? null;
}

/**
 * Seconds the main thread of `pid` has spent runnable but waiting for a core (/proc/PID/schedstat,
 * its second field), or null when it is gone or the kernel keeps no such figure.
 */
export function runQueueWaitSeconds(pid: number): number | null {
  try {
    const wait = Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait / 1e9 : null;
  } catch {
    return null;
  }
}

/** Busy (non-idle) CPU seconds of the whole machine, all cores, from /proc/stat. */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal …
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return (v.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

/** Resident set size of one pid in bytes, or null when it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The pid and every descendant of it (PostgreSQL runs one backend process per connection). */
export function processTree(root: number, all = allProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, st] of all) {
    const siblings = children.get(st.ppid);
    if (siblings) siblings.push(pid);
    else children.set(st.ppid, [pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** The parent pid of `pid`. */
export function parentPid(pid: number): number | null {
  return readStat(pid)?.ppid ?? null;
}

/** The CpuMeter entry for everything on the machine the bench did not start. */
export const OTHER_PROCESSES = 'other processes on the machine';

/** A process the report names; `tree` counts its descendants too (PostgreSQL backends). */
export interface Watched {
  role: string;
  pid: number;
  tree?: boolean;
  /** what the process is, for the report's process layout */
  what?: string;
}

/**
 * CPU used per watched process between start() and stop(), as a percentage of one core, plus
 * the wall time. Processes that start after start() (load generators) count from zero.
 */
export class CpuMeter {
  private readonly before = new Map<number, number>();
  private readonly waitBefore = new Map<number, number>();
  private startedAt = 0;
  private machineBefore = 0;
  private waits: Record<string, number> = {};

  constructor(private readonly watched: () => Watched[]) {}

  start(): void {
    this.before.clear();
    this.waitBefore.clear();
    for (const pid of this.pids()) {
      this.before.set(pid, cpuSeconds(pid) ?? 0);
      this.waitBefore.set(pid, runQueueWaitSeconds(pid) ?? 0);
    }
    this.machineBefore = machineBusySeconds();
    this.startedAt = performance.now();
  }

  /**
   * Of the last start()–stop() interval: role → % of it that the role's main thread (summed over a
   * tree's processes) was ready to run but waited for a core. Roles the kernel gives no figure for
   * are left out.
   */
  lastWaits(): Record<string, number> {
    return this.waits;
  }

  /**
   * role → % of one core over the interval (200 % is both cores of this machine), plus
   * OTHER_PROCESSES: what the rest of the machine (other users, builds, tests) took meanwhile.
   */
  stop(): Record<string, number> {
    const wall = (performance.now() - this.startedAt) / 1000;
    const machine = machineBusySeconds() - this.machineBefore;
    const out: Record<string, number> = {};
    let ours = 0;
    this.waits = {};
    for (const w of this.watched()) {
      const pids = w.tree ? processTree(w.pid) : [w.pid];
      let used = 0;
      let waited: number | null = null;
      for (const pid of pids) {
        const now = cpuSeconds(pid);
        if (now !== null) used += now - (this.before.get(pid) ?? 0);
        const wait = runQueueWaitSeconds(pid);
        if (wait !== null) waited = (waited ?? 0) + wait - (this.waitBefore.get(pid) ?? 0);
      }
      ours += used;
      out[w.role] = Math.round(((out[w.role] ?? 0) + (100 * used) / wall) * 10) / 10;
      if (waited !== null) this.waits[w.role] = Math.round(((this.waits[w.role] ?? 0) + (100 * waited) / wall) * 10) / 10;
    }
    out[OTHER_PROCESSES] = Math.max(0, Math.round(((100 * (machine - ours)) / wall) * 10) / 10);
    return out;
  }

  private pids(): number[] {
    return this.watched().flatMap((w) => (w.tree ? processTree(w.pid) : [w.pid]));
  }
}
