// Profiles of the ChatPop server for one bench section at a time (through server-probe.ts), and
// where their time went (CPU) or their bytes were allocated (BENCH_PROFILE=alloc): top functions by
// self time or bytes, and the same grouped by package or folder.
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

/** A sampling heap profile (HeapProfiler.stopSampling): a tree of allocation sites. */
interface HeapProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

export interface ProfileSummary {
  file: string;
  /** 'cpu': `self` is ms of CPU; 'alloc': `self` is MB allocated (collected or not). */
  kind: 'cpu' | 'alloc';
  /** ms sampled (cpu) or MB allocated (alloc) */
  total: number;
  /** cpu: share of samples where the server was busy (not idle) */
  busy_pct?: number;
  top_functions: { name: string; where: string; self: number; self_pct: number }[];
  by_area: { area: string; self: number; self_pct: number }[];
  /**
   * The same, with native and Node-internal frames (socket writes, promise plumbing) charged to
   * the nearest package or ChatPop frame that called them: who caused the work.
   */
  by_caller_area: { area: string; self: number; self_pct: number }[];
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
    if (waited > 30_000)
      throw new Error(`the server did not answer the profile signal (${line}); output:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return matches()[before]!;
}

export function summarizeProfile(file: string, root: string, top = 20): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile | { head: HeapProfileNode };
  if ('head' in p) {
    // Flatten the tree into the CPU profile's form: nodes with children ids, weight = bytes.
    const nodes: ProfileNode[] = [];
    const weight = new Map<number, number>();
    const walk = (n: HeapProfileNode) => {
      nodes.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
      weight.set(n.id, n.selfSize);
      n.children.forEach(walk);
    };
    walk(p.head);
    return summarize(file, root, top, 'alloc', nodes, weight, 1024 * 1024);
  }
  const selfUs = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    // Each sample's time is the delta to the next one.
    for (let i = 0; i < p.samples.length; i++) {
      const id = p.samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
    }
  } else {
    const perHit =
      (p.endTime - p.startTime) /
      Math.max(
        1,
        p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0),
      );
    for (const n of p.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * perHit);
  }
  return summarize(file, root, top, 'cpu', p.nodes, selfUs, 1000);
}

/** Top functions and areas by weight (µs or bytes), reported in units of `unit` weights. */
function summarize(
  file: string,
  root: string,
  top: number,
  kind: ProfileSummary['kind'],
  nodes: ProfileNode[],
  weights: Map<number, number>,
  unit: number,
): ProfileSummary {
  const byFn = new Map<string, { name: string; where: string; w: number }>();
  const byArea = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const parent = new Map<number, ProfileNode>();
  for (const x of nodes) for (const c of x.children ?? []) parent.set(c, x);
  const callerArea = (x: ProfileNode): string => {
    for (let at: ProfileNode | undefined = x; at; at = parent.get(at.id)) {
      const a = areaOf(at.callFrame.url, at.callFrame.functionName, root);
      if (a !== '(native)' && a !== 'node internals' && a !== '(program)' && a !== '(root)') return a;
    }
    return areaOf(x.callFrame.url, x.callFrame.functionName, root);
  };

  let total = 0;
  let idle = 0;
  for (const n of nodes) {
    const w = weights.get(n.id) ?? 0;
    if (!w) continue;
    total += w;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += w;
    const where = url ? `${shorten(url, root)}:${lineNumber + 1}` : '';
    const key = `${functionName}|${where}`;
    const entry = byFn.get(key) ?? { name: functionName || '(anonymous)', where, w: 0 };
    entry.w += w;
    byFn.set(key, entry);
    const area = areaOf(url, functionName, root);
    byArea.set(area, (byArea.get(area) ?? 0) + w);
    const caller = callerArea(n);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + w);
  }
  const busy = total - idle;
  const pct = (w: number) => Math.round((1000 * w) / Math.max(1, busy)) / 10;
  const inUnits = (w: number) => Math.round((10 * w) / unit) / 10;
  return {
    file: path.relative(root, file),
    kind,
    total: inUnits(total),
    ...(kind === 'cpu' ? { busy_pct: Math.round((1000 * busy) / Math.max(1, total)) / 10 } : {}),
    top_functions: [...byFn.values()]
      .filter((e) => e.name !== '(idle)')
      .sort((a, b) => b.w - a.w)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, self: inUnits(e.w), self_pct: pct(e.w) })),
    by_area: ranked(byArea),
    by_caller_area: ranked(byCaller),
  };
  function ranked(m: Map<string, number>) {
    return [...m.entries()]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, w]) => ({ area, self: inUnits(w), self_pct: pct(w) }));
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
