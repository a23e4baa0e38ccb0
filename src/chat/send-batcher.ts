import type { SessionClaims } from '../auth/tokens';
import type { Channel, Message } from '../domain';
import { ATTR, traced } from '../monitoring/tracer';
import type { SendInput } from './inputs';
import type { ChatRef } from './message-store';
import type { CommittedBatch, CommittedSend, SendCommit, SendRequest } from './send-commit';

export interface BatchResult<V> extends CommittedSend {
  /** what afterCommit made of a fresh message (its public view) */
  published?: V;
}

interface PendingSend<V> extends SendRequest {
  resolve(r: BatchResult<V>): void;
  reject(err: unknown): void;
}

/** Sends grouped into one transaction at most. @default 200 */
export const MAX_BATCH = 200;

/**
 * Group commit. Sends to one chat channel queue up while that channel's transaction runs; the next
 * transaction takes all of them (SendCommit: one seq allocation, one multi-row INSERT, one commit).
 * Idle, a send is a batch of one, so latency is unchanged; under load the database does one round
 * of work for many messages.
 * `afterCommit` runs once per batch, in seq order, before any of its sends resolves.
 */
export class SendBatcher<V> {
  private readonly queues = new Map<string, PendingSend<V>[]>();

  constructor(
    private readonly committer: SendCommit,
    private readonly afterCommit: (code: string, channel: Channel, fresh: Message[], membersVersion: number | null) => Promise<V[]>,
  ) {}

  submit(chat: ChatRef, session: SessionClaims, input: SendInput): Promise<BatchResult<V>> {
    return new Promise((resolve, reject) => {
      const key = `${chat.id}:${input.channel}`;
      const queue = this.queues.get(key);
      const pending = { session, input, resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(key, [pending]);
      void this.drain(key, chat, input.channel);
    });
  }

  private async drain(key: string, chat: ChatRef, channel: Channel) {
    const queue = this.queues.get(key)!;
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const { sends, membersVersion } = await this.commit(chat, channel, batch);
        const results: BatchResult<V>[] = sends;
        const fresh = results.filter((r) => !r.duplicate);
        if (fresh.length) {
          const published = await this.afterCommit(chat.code, channel, fresh.map((r) => r.message), membersVersion);
          fresh.forEach((r, i) => (r.published = published[i]));
        }
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.queues.delete(key);
  }

  private commit(chat: ChatRef, channel: Channel, batch: PendingSend<V>[]): Promise<CommittedBatch> {
    return traced('db.write', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'send', [ATTR.dbCount]: batch.length }, () =>
      this.committer.commit(chat, channel, batch),
    );
  }
}
