// The image's Node (the Dockerfile's base) may be newer than this machine's, and may accept flags
// this one refuses. Whatever runs the image's command here (the bench's server, the image-command
// tests) keeps the flags this Node accepts and says which it dropped.
import { spawnSync } from 'node:child_process';

export interface NodeFlags {
  accepted: string[];
  /** flags `node FLAG -e 0` refused here */
  refused: string[];
}

const verdicts = new Map<string, boolean>();

/** Splits node flags into those a Node binary (this one by default) accepts and those it refuses. */
export function nodeFlagsHere(flags: string[], node = process.execPath): NodeFlags {
  const out: NodeFlags = { accepted: [], refused: [] };
  for (const flag of flags) {
    let ok = verdicts.get(`${node} ${flag}`);
    if (ok === undefined) {
      ok = spawnSync(node, [flag, '-e', '0'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
      verdicts.set(`${node} ${flag}`, ok);
    }
    (ok ? out.accepted : out.refused).push(flag);
  }
  return out;
}
