// Reconnect recovery of N missed messages, repeated; the figures are medians.
import type { Watched } from '../harness/cpu';
import type { RecoveryResult } from '../load/load-recovery';
import type { Room } from '../harness/fixtures';
import { median } from '../harness/stats';
import { startWorker } from '../load/workers';

export interface RecoveryFigure {
  missed: number;
  join_ack_ms: number;
  total_ms: number;
  connect_ms: number;
  in_ack: number;
  rest_pages: number;
  runs: RecoveryResult[];
}

export async function measureRecovery(
  url: string,
  room: Room,
  missed: number,
  repeats: number,
  watch: (w: Watched) => () => void,
): Promise<RecoveryFigure> {
  const worker = startWorker('load-recovery');
  const unwatch = watch({
    role: 'load: recovery client',
    pid: worker.pid,
    what: 'node dist/bench/load/load-recovery.js: reconnect recovery',
  });
  try {
    const runs: RecoveryResult[] = [];
    for (let i = 0; i < repeats; i++) {
      runs.push(
        await worker.call<RecoveryResult>('run', { url, code: room.code, token: room.tokens[0], senderToken: room.tokens[1], missed }),
      );
    }
    return {
      missed,
      join_ack_ms: median(runs.map((r) => r.join_ack_ms)),
      total_ms: median(runs.map((r) => r.total_ms)),
      connect_ms: median(runs.map((r) => r.connect_ms)),
      in_ack: runs[0]!.in_ack,
      rest_pages: runs[0]!.rest_pages,
      runs,
    };
  } finally {
    await worker.close();
    unwatch();
  }
}
