import type { SessionClaims } from '../auth';
import type { Channel } from '../domain';
import { Message } from '../domain';
import type { SendInput } from './inputs';
import type { ChatRef, MessageStore } from './message-store';

/** One send waiting in a batch. */
export interface SendRequest {
  session: SessionClaims;
  input: SendInput;
}

export interface CommittedSend {
  message: Message;
  /** true when client_id matched an earlier send: nothing new was stored */
  duplicate: boolean;
}

/** Sends to one chat channel, in arrival order. */
export interface SendGroup {
  chat: ChatRef;
  channel: Channel;
  sends: SendRequest[];
}

/** A stored group: results in the group's order, and the chat's members version seen under its lock. */
export interface CommittedBatch {
  sends: CommittedSend[];
  /** null when every send was a duplicate (nothing was stored) */
  membersVersion: number | null;
}

/**
 * Stores groups of sends, each chat channel's in one transaction: seqs and versions allocated
 * together (contiguous), a client_id its sender repeats answered with their stored message.
 * Results (or the group's error) come in the groups' order.
 */
export interface SendCommit {
  /** true: one call stores the groups of many chats at once; false: callers pass one group per call */
  readonly spansChats: boolean;
  commit(groups: SendGroup[]): Promise<(CommittedBatch | { error: unknown })[]>;
}

/** The row a fresh send becomes; seq and version come from the chat row's counters. */
export function newMessage(
  chat: ChatRef,
  channel: Channel,
  { session, input }: SendRequest,
  seq: number,
  version: number,
  now: Date,
): Message {
  return Object.assign(new Message(), {
    chatId: chat.id,
    channel,
    seq,
    version,
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
}

/** What a client_id is unique within, besides the chat channel: its sender (contract: per sender and channel). */
export function idempotencyKey(participantId: string, clientId: string): string {
  return `${participantId} ${clientId}`;
}

/**
 * The portable commit, through the ORM, on every database: lock the chat row, look up the batch's
 * client_ids, allocate seqs for the fresh sends, insert them.
 */
export class OrmSendCommit implements SendCommit {
  readonly spansChats = false;

  constructor(private readonly store: MessageStore) {}

  async commit(groups: SendGroup[]): Promise<(CommittedBatch | { error: unknown })[]> {
    const results: (CommittedBatch | { error: unknown })[] = [];
    for (const g of groups) {
      try {
        results.push(await this.commitOne(g.chat, g.channel, g.sends));
      } catch (error) {
        results.push({ error });
      }
    }
    return results;
  }

  private commitOne(chat: ChatRef, channel: Channel, batch: SendRequest[]): Promise<CommittedBatch> {
    const { chats, messages } = this.store.repos;
    return this.store.transaction(async (tx) => {
      const results: (CommittedSend | undefined)[] = new Array(batch.length);
      const keyed = batch.filter((p) => p.input.client_id);
      const byKey = new Map<string, Message>();
      if (keyed.length) {
        // Lock first so a concurrent send of the same client_id on another pod is seen, not duplicated.
        await chats.lock(tx, chat.id);
        const senders = [...new Set(keyed.map((p) => p.session.sub))];
        const clientIds = [...new Set(keyed.map((p) => p.input.client_id!))];
        const stored = await messages.byClientIds(tx, chat.id, channel, senders, clientIds);
        for (const m of stored) byKey.set(idempotencyKey(m.participantId, m.clientId!), m);
      }
      const fresh: number[] = [];
      const firstOfKey = new Map<string, number>();
      batch.forEach((p, i) => {
        const key = p.input.client_id ? idempotencyKey(p.session.sub, p.input.client_id) : undefined;
        const stored = key ? byKey.get(key) : undefined;
        if (stored) results[i] = { message: stored, duplicate: true };
        else if (key && firstOfKey.has(key))
          results[i] = undefined; // the same sender's client_id twice in one batch
        else {
          if (key) firstOfKey.set(key, i);
          fresh.push(i);
        }
      });
      let membersVersion: number | null = null;
      if (fresh.length) {
        const { seq, version, membersVersion: members } = await chats.lock(tx, chat.id, { newSeq: channel, count: fresh.length });
        membersVersion = members;
        const now = new Date();
        const rows = fresh.map((i, k) => {
          const m = newMessage(chat, channel, batch[i], seq - fresh.length + 1 + k, version - fresh.length + 1 + k, now);
          results[i] = { message: m, duplicate: false };
          return m;
        });
        await messages.insertMany(tx, rows);
      }
      batch.forEach((p, i) => {
        if (!results[i]) {
          results[i] = { message: results[firstOfKey.get(idempotencyKey(p.session.sub, p.input.client_id!))!]!.message, duplicate: true };
        }
      });
      return { sends: results as CommittedSend[], membersVersion };
    });
  }
}
