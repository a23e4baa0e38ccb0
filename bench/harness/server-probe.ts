// Preloaded into the measured servers (node --expose-gc --require dist/bench/harness/server-probe.js). It
// does nothing until signalled:
//   SIGUSR2   collects garbage and prints `bench-memory N {…}`, so the memory figure compares live
//             memory instead of whatever garbage the heap held at that moment (with the size of V8's
//             young generation, which RSS counts however empty it is);
//   SIGWINCH  starts a profile (printing `bench-profile-started N`), or stops it and writes it to
//             BENCH_PROBE_PROFILE_DIR (printing `bench-profile N <file>`): a profile of one bench
//             section, not of the whole process life (start-up and fixtures would otherwise be a third
//             of a short section's samples). A CPU profile (.cpuprofile), or with
//             BENCH_PROBE_PROFILE_KIND=alloc an allocation profile (.heapprofile): where the bytes
//             that young collections sweep were allocated, dead or alive by the end.
// With BENCH_PROBE_GC_FILE set, it also appends to that file, as they happen (see server-gc.ts):
//   every garbage collection pause, so the report can say which steps a collection fell in;
//   every stall of the event loop of STALL_MS or more (a 5 ms timer that ran late, whatever the cause:
//   a GC pause, a long task, or no CPU free for the process), so the report can say how much of a
//   latency tail the server's own pauses explain and how much the machine's.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';

let probes = 0;
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass may leave objects that finalizers or weak references released.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  // V8's young generation: empty after the collection, but its size (what it grew to) stays in RSS.
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const reading = { gc: Boolean(gc), rss: m.rss, heap_used: m.heapUsed, external: m.external, array_buffers: m.arrayBuffers, young };
  process.stderr.write(`bench-memory ${++probes} ${JSON.stringify(reading)}\n`);
});

const profileDir = process.env.BENCH_PROBE_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as Record<string, unknown>))),
    );
  // One sample per 32 KiB allocated on average: cheap enough to leave the section's figures near
  // their unprofiled values. Collected objects count too, or only the survivors would show.
  const alloc = process.env.BENCH_PROBE_PROFILE_KIND === 'alloc';
  const profiler = alloc
    ? {
        start: () =>
          post('HeapProfiler.startSampling', {
            samplingInterval: 32 * 1024,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          }),
        stop: async () => (await post('HeapProfiler.stopSampling')).profile,
        extension: 'heapprofile',
      }
    : {
        start: async () => (await post('Profiler.enable'), await post('Profiler.start')),
        stop: async () => (await post('Profiler.stop')).profile,
        extension: 'cpuprofile',
      };
  let profiling = false;
  let profiles = 0;
  const fail = (err: Error) => process.stderr.write(`bench-profile error ${err.message}\n`);
  process.on('SIGWINCH', () => {
    profiling = !profiling;
    if (profiling) {
      profiler.start().then(() => process.stderr.write(`bench-profile-started ${profiles + 1}\n`), fail);
      return;
    }
    profiler.stop().then((profile) => {
      const file = path.join(profileDir, `section-${++profiles}-${process.pid}.${profiler.extension}`);
      fs.mkdirSync(profileDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`bench-profile ${profiles} ${file}\n`);
    }, fail);
  });
}

const gcFile = process.env.BENCH_PROBE_GC_FILE;
if (gcFile) {
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  };
  // One line per pause: [epoch ms at its start, pause ms, kind]. Appended at once: the orchestrator
  // reads the file while this process still runs.
  new PerformanceObserver((list) => {
    const lines = list.getEntries().map((e) => {
      const kind = kinds[(e as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      return JSON.stringify([Math.round(performance.timeOrigin + e.startTime), Math.round(e.duration * 100) / 100, kind]);
    });
    fs.appendFileSync(gcFile, lines.join('\n') + '\n');
  }).observe({ entryTypes: ['gc'] });

  // 200 wakeups a second: too few to cost the server anything measurable, and a stall is seen within 5 ms.
  const TICK_MS = 5;
  const STALL_MS = 5;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    if (late >= STALL_MS)
      fs.appendFileSync(
        gcFile,
        JSON.stringify([Math.round(performance.timeOrigin + last + TICK_MS), Math.round(late * 100) / 100, 'stall']) + '\n',
      );
    last = now;
  }, TICK_MS).unref();
}

/** Node flags that load this probe. */
export const PROBE_NODE_ARGS = ['--expose-gc', '--require', __filename];
