import type { SessionClaims } from '../auth/tokens';
import type { Channel } from '../domain';
import { Message } from '../domain';
import { ATTR, traced } from '../monitoring/tracer';
import { lockChat } from './chat-lock';
import type { SendInput } from './inputs';
import type { ChatRef, MessageStore } from './message-store';

export interface BatchResult<V> {
  message: Message;
  duplicate: boolean;
  /** what afterCommit made of a fresh message (its public view) */
  published?: V;
}

interface PendingSend<V> {
  session: SessionClaims;
  input: SendInput;
  resolve(r: BatchResult<V>): void;
  reject(err: unknown): void;
}

/** Sends grouped into one transaction at most. @default 200 */
export const MAX_BATCH = 200;

/**
 * Group commit. Sends to one chat channel queue up while that channel's transaction runs; the next
 * transaction takes all of them: one seq allocation (a single UPDATE on the chat row, which also
 * serializes pods), one multi-row INSERT, one commit. Idle, a send is a batch of one, so latency is
 * unchanged; under load the database does one round of work for many messages.
 * `afterCommit` runs once per batch, in seq order, before any of its sends resolves.
 */
export class SendBatcher<V> {
  private readonly queues = new Map<string, PendingSend<V>[]>();

  constructor(
    private readonly store: MessageStore,
    private readonly afterCommit: (code: string, channel: Channel, fresh: Message[]) => Promise<V[]>,
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
        const results = await this.commit(chat, channel, batch);
        const fresh = results.filter((r) => !r.duplicate);
        if (fresh.length) {
          const published = await this.afterCommit(chat.code, channel, fresh.map((r) => r.message));
          fresh.forEach((r, i) => (r.published = published[i]));
        }
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.queues.delete(key);
  }

  private commit(chat: ChatRef, channel: Channel, batch: PendingSend<V>[]): Promise<BatchResult<V>[]> {
    return traced('db.write', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'send', [ATTR.dbCount]: batch.length }, () =>
      this.store.em().transactional(async (tx) => {
        const results: (BatchResult<V> | undefined)[] = new Array(batch.length);
        const clientIds = [...new Set(batch.map((p) => p.input.client_id).filter((c): c is string => !!c))];
        const byClientId = new Map<string, Message>();
        if (clientIds.length) {
          // Lock first so a concurrent send of the same client_id on another pod is seen, not duplicated.
          await lockChat(tx, chat.id);
          for (const m of await tx.find(Message, { chatId: chat.id, clientId: { $in: clientIds } })) byClientId.set(m.clientId!, m);
        }
        const fresh: number[] = [];
        const firstOfClientId = new Map<string, number>();
        batch.forEach((p, i) => {
          const cid = p.input.client_id;
          const stored = cid ? byClientId.get(cid) : undefined;
          if (stored) results[i] = { message: stored, duplicate: true };
          else if (cid && firstOfClientId.has(cid)) results[i] = undefined; // same client_id twice in one batch
          else {
            if (cid) firstOfClientId.set(cid, i);
            fresh.push(i);
          }
        });
        if (fresh.length) {
          const { seq, version } = await lockChat(tx, chat.id, { newSeq: channel, count: fresh.length });
          const now = new Date();
          const rows = fresh.map((i, k) => {
            const { session, input } = batch[i];
            const m = Object.assign(new Message(), {
              chatId: chat.id,
              channel,
              seq: seq - fresh.length + 1 + k,
              version: version - fresh.length + 1 + k,
              participantId: session.sub,
              username: session.username,
              usernameIsReserved: session.user_id !== null,
              userId: session.user_id,
              content: input.content,
              messageType: session.host ? 'host' : 'normal',
              replyTo: input.reply_to ?? null,
              clientId: input.client_id ?? null,
              createdAt: now,
            });
            results[i] = { message: m, duplicate: false };
            return m;
          });
          await tx.insertMany(rows);
        }
        batch.forEach((p, i) => {
          if (!results[i]) results[i] = { message: results[firstOfClientId.get(p.input.client_id!)!]!.message, duplicate: true };
        });
        return results as BatchResult<V>[];
      }),
    );
  }
}
