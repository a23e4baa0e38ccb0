import type { Channel } from '../domain';
import type { Em } from '../db';
import { AppError } from '../errors';

export interface ChatCounters {
  /** the channel's last seq after the update (of `newSeq`; main's otherwise) */
  seq: number;
  version: number;
  membersVersion: number;
}

/**
 * Inside a transaction: bumps the chat's change counter (and, for a send, the channel's seq) in one
 * UPDATE. The row lock it takes serializes
 * every change of one chat, which is what makes `seq` contiguous and `version` strictly growing;
 * other chats are not blocked.
 */
export async function lockChat(
  em: Em,
  chatId: string,
  opts: { newSeq?: Channel; count?: number } = {},
): Promise<ChatCounters> {
  const n = opts.count ?? 1;
  const seqCol = opts.newSeq === 'backroom' ? 'last_seq_backroom' : 'last_seq_main';
  const platform = em.getPlatform();
  const now = platform.processDateProperty(new Date());
  const sets = opts.newSeq ? `${seqCol} = ${seqCol} + ${n}, version = version + ${n}, last_message_at = ?` : `version = version + 1`;
  const params = opts.newSeq ? [now, chatId] : [chatId];
  const rows = await em
    .getConnection()
    .execute<{ seq: number; version: number; members_version: number }[]>(
      `update chats set ${sets} where id = ? returning ${seqCol} as seq, version, members_version`,
      params,
      'all',
      em.getTransactionContext(),
    );
  if (!rows.length) throw AppError.notFound('chat');
  return { seq: Number(rows[0].seq), version: Number(rows[0].version), membersVersion: Number(rows[0].members_version) };
}

/** Inside the transaction that adds a registered participant: tells every pod its member list is old. */
export async function bumpMembersVersion(em: Em, chatId: string): Promise<void> {
  await em.getConnection().execute('update chats set members_version = members_version + 1 where id = ?', [chatId], 'run', em.getTransactionContext());
}
