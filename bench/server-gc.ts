// The ChatPop server's pauses, per bench step: its garbage collections, and the stalls of its event
// loop whatever their cause. The server-probe preloaded into the server appends each to a file
// (BENCH_PROBE_GC_FILE); each send step records its wall window; this puts the two together. A pause
// stops the server's event loop, so every send in flight waits for it: the report shows, step by
// step, how much of a latency tail the server's collections explain, and how long it stalled in all
// (a stall much longer than any collection was a long task, or no CPU free for the server).
import fs from 'node:fs';

/** [epoch ms at the pause's start, pause ms, kind ('scavenge', 'mark-compact', …, or 'stall')] as the probe writes it. */
type GcLine = [number, number, string];

export interface StepGc {
  scavenges: number;
  scavenge_total_ms: number;
  scavenge_max_ms: number;
  /** full collections (their final, stop-the-world pause; the marking before it runs on helper threads) */
  mark_compacts: number;
  mark_compact_max_ms: number;
  /** the longest garbage collection pause of any kind in the step */
  max_pause_ms: number;
  /** event-loop stalls of 5 ms or more (a GC pause is one too), and the longest */
  loop_stalls: number;
  loop_stall_max_ms: number;
}

export class ServerGcLog {
  constructor(readonly file: string) {}

  /** The pauses that started inside [from, to] (epoch ms); null when the log cannot be read. */
  during(from: number, to: number): StepGc | null {
    let lines: GcLine[];
    try {
      lines = fs
        .readFileSync(this.file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as GcLine);
    } catch {
      return null;
    }
    const gc: StepGc = {
      scavenges: 0,
      scavenge_total_ms: 0,
      scavenge_max_ms: 0,
      mark_compacts: 0,
      mark_compact_max_ms: 0,
      max_pause_ms: 0,
      loop_stalls: 0,
      loop_stall_max_ms: 0,
    };
    for (const [at, ms, kind] of lines) {
      if (at < from || at > to) continue;
      if (kind === 'stall') {
        gc.loop_stalls++;
        gc.loop_stall_max_ms = Math.max(gc.loop_stall_max_ms, ms);
        continue;
      }
      if (kind === 'scavenge') {
        gc.scavenges++;
        gc.scavenge_total_ms += ms;
        gc.scavenge_max_ms = Math.max(gc.scavenge_max_ms, ms);
      } else if (kind === 'mark-compact') {
        gc.mark_compacts++;
        gc.mark_compact_max_ms = Math.max(gc.mark_compact_max_ms, ms);
      }
      gc.max_pause_ms = Math.max(gc.max_pause_ms, ms);
    }
    gc.scavenge_total_ms = Math.round(gc.scavenge_total_ms * 10) / 10;
    return gc;
  }
}
