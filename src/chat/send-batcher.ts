import type { SessionClaims } from '../auth';
import type { Channel, Message } from '../domain';
import { ATTR, currentSpan, startGroupSpan, tracedEach, type GroupSpan } from '../telemetry';
import type { SendInput } from './inputs';
import type { ChatRef } from './message-store';
import type { CommittedBatch, CommittedSend, SendCommit, SendGroup, SendRequest } from './send-commit';

export interface BatchResult<V> extends CommittedSend {
  /** what afterCommit made of a fresh message (its public view) */
  published?: V;
}

interface PendingSend<V> extends SendRequest {
  chat: ChatRef;
  /** the span of the event that sent it (socket.send), which the commit's span links to */
  span: ReturnType<typeof currentSpan>;
  channel: Channel;
  resolve(r: BatchResult<V>): void;
  reject(err: unknown): void;
}

type Group<V> = Omit<SendGroup, 'sends'> & { sends: PendingSend<V>[] };

/** Sends stored by one commit at most. @default 200 */
export const MAX_BATCH = 200;

/**
 * Sends waiting, once a commit is stored, from which the next commit starts while that commit is
 * still publishing. Fewer wait for the publishing to end first. @default 50
 */
export const OVERLAP_FROM = 50;

/**
 * Group commit. Sends queue up while a commit runs; the next commit takes all of them (up to
 * MAX_BATCH): per chat channel one seq allocation, one multi-row INSERT, one transaction. Where the
 * committer spans chats (PostgreSQL), one queue serves the whole pod and one statement stores the
 * sends of every chat that has some; otherwise each chat channel has its own queue. Idle, a send
 * is a batch of one, so latency is unchanged; under load the database does one round of work for
 * many messages. `afterCommit` runs once per chat channel and commit, in seq order, before any of
 * its sends resolves; the afterCommits of a queue run one commit after another.
 */
export class SendBatcher<V> {
  private readonly queues = new Map<string, PendingSend<V>[]>();

  constructor(
    private readonly committer: SendCommit,
    private readonly afterCommit: (code: string, channel: Channel, fresh: Message[], membersVersion: number | null) => Promise<V[]>,
  ) {}

  submit(chat: ChatRef, session: SessionClaims, input: SendInput): Promise<BatchResult<V>> {
    return new Promise((resolve, reject) => {
      const key = this.committer.spansChats ? 'all' : `${chat.id}:${input.channel}`;
      const queue = this.queues.get(key);
      const pending = { chat, channel: input.channel, session, input, resolve, reject, span: currentSpan() };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(key, [pending]);
      void this.drain(key);
    });
  }

  /**
   * Commits what is queued, over and over; publishings (cache append, announcements, acks) follow
   * each other in commit order. With a backlog (OVERLAP_FROM sends or more waiting) the next commit
   * runs while the last one publishes, at most one publishing trailing: that is the throughput
   * under load. With fewer waiting it starts once the publishing is done, so at moderate load the
   * sends that arrive meanwhile join it: fewer commits, each of which costs a database statement,
   * a Lua cache write per chat and a socket write per member with news, for about one Redis round trip of latency.
   */
  private async drain(key: string) {
    const queue = this.queues.get(key)!;
    let publishing: Promise<void> = Promise.resolve();
    for (;;) {
      if (!queue.length) {
        await publishing;
        if (!queue.length) break;
      }
      const batch = queue.splice(0, MAX_BATCH);
      const span = commitSpan(batch);
      const groups = groupByChannel(batch);
      let committed: (CommittedBatch | { error: unknown })[];
      try {
        committed = await span.run(() => this.commit(groups));
      } catch (err) {
        span.fail(err);
        span.end();
        for (const g of groups) for (const p of g.sends) p.reject(err);
        continue;
      }
      const previous = publishing;
      publishing = span.run(() =>
        previous.then(async () => {
          await Promise.all(groups.map((g, i) => this.publish(g, committed[i])));
          span.end();
        }),
      );
      await (queue.length >= OVERLAP_FROM ? previous : publishing);
    }
    this.queues.delete(key);
  }

  private async publish(group: Group<V>, committed: CommittedBatch | { error: unknown }): Promise<void> {
    try {
      if ('error' in committed) throw committed.error;
      const results: BatchResult<V>[] = committed.sends;
      const fresh = results.filter((r) => !r.duplicate);
      if (fresh.length) {
        const published = await this.afterCommit(
          group.chat.code,
          group.channel,
          fresh.map((r) => r.message),
          committed.membersVersion,
        );
        fresh.forEach((r, i) => (r.published = published[i]));
      }
      group.sends.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of group.sends) p.reject(err);
    }
  }

  /** One db.write span per chat channel, however many share the statement. */
  private commit(groups: Group<V>[]): Promise<(CommittedBatch | { error: unknown })[]> {
    const spans = groups.map((g) => ({ [ATTR.chatCode]: g.chat.code, [ATTR.op]: 'send', [ATTR.dbCount]: g.sends.length }));
    return tracedEach('db.write', spans, () => this.committer.commit(groups));
  }
}

/**
 * The span of one commit and its publishing (`chat.commit`): the database statement, the cache
 * writes and announcements are its children. It serves the traces of all its sends: it links to
 * their socket.send spans and they to it, so no send's trace holds the others' work.
 */
function commitSpan<V>(batch: PendingSend<V>[]): GroupSpan {
  const chats = new Set(batch.map((p) => p.chat.code));
  return startGroupSpan(
    'chat.commit',
    { [ATTR.op]: 'send', [ATTR.messagingBatchCount]: batch.length, ...(chats.size === 1 ? { [ATTR.chatCode]: batch[0].chat.code } : {}) },
    batch.map((p) => p.span),
  );
}

/** Pending sends grouped by chat channel, groups in order of their first send, sends in arrival order. */
function groupByChannel<V>(batch: PendingSend<V>[]): Group<V>[] {
  const groups = new Map<string, Group<V>>();
  for (const p of batch) {
    const key = `${p.chat.id}:${p.channel}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { chat: p.chat, channel: p.channel, sends: [] }));
    g.sends.push(p);
  }
  return [...groups.values()];
}
