// Preloaded into the measured servers (node --expose-gc --require dist/bench/server-probe.js): on
// SIGUSR2 it collects garbage and prints one `bench-memory N {…}` line, so the memory figure compares
// live memory instead of whatever garbage the heap held at that moment. It does nothing else.
let probes = 0;
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass may leave objects that finalizers or weak references released.
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`bench-memory ${++probes} ${JSON.stringify({ gc: Boolean(gc), rss: m.rss, heap_used: m.heapUsed, external: m.external, array_buffers: m.arrayBuffers })}\n`);
});

/** Node flags that load this probe. */
export const PROBE_NODE_ARGS = ['--expose-gc', '--require', __filename];
