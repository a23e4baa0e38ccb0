// Helpers for the SDK's tests: what a chat's stream delivered, and waiting for it without sleeping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Chat, ChatPopClient, MessageView } from '../../clients/js/src';
import { startServerProcess, TEST_SECRET, type ServerProcess } from '../support';

/** Limits raised so a test's bursts are not rate-limited (the SDK waits those out, but slowly). */
export const GENEROUS_LIMITS = { SEND_RATE_LIMIT: '100000', JOIN_RATE_LIMIT: '100000', LOG_LEVEL: 'info' };

/** A server on its own SQLite file; `env` wins. */
export async function sqliteServer(env: Record<string, string> = {}): Promise<{ server: ServerProcess; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpop-sdk-'));
  const server = await startServerProcess({
    DATABASE_URL: `sqlite://${path.join(dir, 'chatpop.sqlite')}`,
    SESSION_SECRET: TEST_SECRET,
    ...GENEROUS_LIMITS,
    ...env,
  });
  return { server, dir };
}

/** Every `message` a chat emitted, in emission order (so a duplicate or a reordering shows). */
export class Stream {
  readonly emitted: MessageView[] = [];
  constructor(readonly chat: Chat) {
    chat.on('message', (m) => this.emitted.push(m));
  }
  get seqs(): number[] {
    return this.emitted.map((m) => m.seq);
  }
  /** The held version of message `id` (edits and reactions applied). */
  held(id: string): MessageView | undefined {
    return this.chat.messages.find((m) => m.id === id);
  }
}

/** Polls `done` every 20 ms; rejects naming `what` after `timeoutMs`. */
export async function until(done: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Closes clients at the end of a test. */
export function closeAll(clients: ChatPopClient[]): void {
  for (const c of clients.splice(0)) c.close();
}

export { compact, range } from '../support/sockets';
