import { createInterface } from 'node:readline/promises';
import { OpsError } from './ops-error';

export interface ConfirmOptions {
  /** --force: skip the question */
  force: boolean;
  /** what would be done, for the refusal message: `delete 12 keys` */
  action: string;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

/**
 * Destructive commands ask `[y/N]` on a terminal and need --force otherwise, so a CronJob or a
 * `kubectl exec` without -it never deletes by accident. Throws OpsError when not confirmed.
 */
export async function confirm(question: string, opts: ConfirmOptions): Promise<void> {
  if (opts.force) return;
  const input = opts.input ?? process.stdin;
  // The prompt goes to stderr so `--json` output on stdout stays one document.
  const output = opts.output ?? process.stderr;
  if (!input.isTTY) throw OpsError.needsForce(opts.action);
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw OpsError.declined(opts.action);
  } finally {
    rl.close();
  }
}
