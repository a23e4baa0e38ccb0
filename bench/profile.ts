// CPU profiles of the ChatPop server for one bench section at a time (through server-probe.ts), and
// where their time went: top functions by self time, and the same time grouped by package or folder.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  total_ms: number;
  /** share of samples where the server was busy (not idle) */
  busy_pct: number;
  top_functions: { name: string; where: string; self_ms: number; self_pct: number }[];
  by_area: { area: string; self_ms: number; self_pct: number }[];
  /**
   * The same time, with native and Node-internal frames (socket writes, promise plumbing) charged to
   * the nearest package or ChatPop frame that called them: who caused the work.
   */
  by_caller_area: { area: string; self_ms: number; self_pct: number }[];
}

/** A server started with PROBE_NODE_ARGS and BENCH_PROBE_PROFILE_DIR (see server-probe.ts). */
export interface ProfiledServer {
  pid: number;
  output(): string;
}

/** Starts the server's CPU profile; `stop()` resolves with the written .cpuprofile file. */
export async function startProfile(server: ProfiledServer): Promise<{ stop(): Promise<string> }> {
  await signalAndWait(server, /^bench-profile-started \d+$/gm);
  return { stop: async () => (await signalAndWait(server, /^bench-profile \d+ (.+)$/gm))[1]! };
}

/** Sends SIGWINCH and waits for the next line matching `line` (a global, multiline pattern). */
async function signalAndWait(server: ProfiledServer, line: RegExp): Promise<RegExpMatchArray> {
  const matches = () => [...server.output().matchAll(line)];
  const before = matches().length;
  process.kill(server.pid, 'SIGWINCH');
  for (let waited = 0; matches().length === before; waited += 20) {
    if (waited > 30_000) throw new Error(`the server did not answer the profile signal (${line}); output:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return matches()[before]!;
}

export function summarizeProfile(file: string, root: string, top = 20): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    // Each sample's time is the delta to the next one.
    for (let i = 0; i < p.samples.length; i++) {
      const id = p.samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
    }
  } else {
    const perHit = (p.endTime - p.startTime) / Math.max(1, p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0));
    for (const n of p.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * perHit);
  }
  const byFn = new Map<string, { name: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const parent = new Map<number, ProfileNode>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x);
  const callerArea = (x: ProfileNode): string => {
    for (let at: ProfileNode | undefined = x; at; at = parent.get(at.id)) {
      const a = areaOf(at.callFrame.url, at.callFrame.functionName, root);
      if (a !== '(native)' && a !== 'node internals' && a !== '(program)' && a !== '(root)') return a;
    }
    return areaOf(x.callFrame.url, x.callFrame.functionName, root);
  };

  let total = 0;
  let idle = 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (!us) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += us;
    const where = url ? `${shorten(url, root)}:${lineNumber + 1}` : '';
    const key = `${functionName}|${where}`;
    const entry = byFn.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFn.set(key, entry);
    const area = areaOf(url, functionName, root);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const caller = callerArea(n);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, busy)) / 10;
  return {
    file: path.relative(root, file),
    total_ms: Math.round(total / 1000),
    busy_pct: Math.round((1000 * busy) / Math.max(1, total)) / 10,
    top_functions: [...byFn.values()]
      .filter((e) => e.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, self_ms: Math.round(e.us / 1000), self_pct: pct(e.us) })),
    by_area: ranked(byArea),
    by_caller_area: ranked(byCaller),
  };
  function ranked(m: Map<string, number>) {
    return [...m.entries()]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, self_ms: Math.round(us / 1000), self_pct: pct(us) }));
  }
}

function shorten(url: string, root: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** node_modules/<package>, our own dist/src/<folder>, node internals, or V8's pseudo-frames. */
function areaOf(url: string, fn: string, root: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const file = shorten(url, root);
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (mod) return mod[1]!;
  const own = /^dist\/src\/([^/]+)/.exec(file);
  if (own) return `chatpop src/${own[1]!.replace(/\.js$/, '')}`;
  if (file.startsWith('node:')) return 'node internals';
  return file;
}
