import type { Channel } from '../../domain';
import { Chat, ChatCode } from '../../domain';
import { AppError } from '../../errors';
import type { Db, Tx } from './tx';

export interface ChatRef {
  id: string;
  code: string;
}

export interface ChatCounters {
  /** the channel's last seq after the update (of `newSeq`; main's otherwise) */
  seq: number;
  version: number;
  membersVersion: number;
}

/** Chats: found by code (remembered: a chat is never renamed, deleted or turned private), counters by id. */
export class ChatRepository {
  /** code → id and kind */
  private readonly known = new Map<string, { id: string; direct: boolean }>();

  constructor(private readonly db: Db) {}

  /** The chat's id by code, or not_found. */
  async ref(code: string): Promise<ChatRef> {
    return { id: (await this.lookUp(code)).id, code };
  }

  /** Whether the chat is a private 1:1 conversation, or not_found. */
  async isDirect(code: string): Promise<boolean> {
    return (await this.lookUp(code)).direct;
  }

  private async lookUp(code: string): Promise<{ id: string; direct: boolean }> {
    const known = this.known.get(code);
    if (known) return known;
    // chat_codes, not chats: chats are distributed by id, and a code must not ask every shard.
    const row = await this.db.em().findOne(ChatCode, { code }, { fields: ['chatId', 'kind'] });
    if (!row) throw AppError.notFound(`chat ${code}`);
    return this.remember(code, row.chatId, row.kind);
  }

  remember(code: string, id: string, kind: Chat['kind']) {
    if (this.known.size > 50_000) this.known.clear();
    const entry = { id, direct: kind === 'direct' };
    this.known.set(code, entry);
    return entry;
  }

  /** The whole chat row by code, or not_found. */
  async byCode(code: string): Promise<Chat> {
    const { id } = await this.lookUp(code);
    const chat = await this.db.em().findOne(Chat, { id });
    if (!chat) throw AppError.notFound(`chat ${code}`);
    return chat;
  }

  /** The chats with these ids, most recent message first. */
  byIds(ids: string[], limit: number): Promise<Chat[]> {
    return this.db.em().find(Chat, { id: { $in: ids } }, { orderBy: { lastMessageAt: 'desc', code: 'asc' }, limit });
  }

  /** The direct chat of a pair ("<id>:<id>", sorted), or null. */
  async byDirectKey(directKey: string): Promise<Pick<Chat, 'code' | 'name'> | null> {
    const row = await this.db.em().findOne(ChatCode, { directKey }, { fields: ['code'] });
    return row && this.byCode(row.code);
  }

  /** Direct keys naming this user. */
  async directKeysOf(userId: string): Promise<string[]> {
    // directKey is "<id>:<id>"; ids are UUIDs, which hold no LIKE wildcards.
    const chats = await this.db.em().find(ChatCode, { directKey: { $like: `%${userId}%` } }, { fields: ['directKey'] });
    return chats.map((c) => c.directKey ?? '');
  }

  /** Inserts a new chat and its code (in `tx` when given); a taken code or direct key throws the unique violation. */
  async insert(chat: Chat, tx?: Tx): Promise<void> {
    const em = this.db.em(tx);
    em.persist(chat);
    em.persist(Object.assign(new ChatCode(), { code: chat.code, chatId: chat.id, kind: chat.kind, directKey: chat.directKey }));
    if (!tx) await em.flush();
  }

  async lastSeq(chat: ChatRef, channel: Channel): Promise<number> {
    const row = await this.db.em().findOneOrFail(Chat, { id: chat.id }, { fields: ['lastSeqMain', 'lastSeqBackroom'] });
    return channel === 'main' ? row.lastSeqMain : row.lastSeqBackroom;
  }

  /** The code of a chat by id, or null. */
  async codeOf(id: string): Promise<string | null> {
    return (await this.db.em().findOne(Chat, { id }, { fields: ['code'] }))?.code ?? null;
  }

  /** Codes of the chats with the most recent messages, newest first. */
  async mostRecent(limit: number): Promise<string[]> {
    const rows = await this.db
      .em()
      .find(
        Chat,
        { $or: [{ lastSeqMain: { $gt: 0 } }, { lastSeqBackroom: { $gt: 0 } }] },
        { orderBy: { lastMessageAt: 'desc' }, limit, fields: ['code'] },
      );
    return rows.map((c) => c.code);
  }

  /**
   * Inside a transaction: bumps the chat's change counter (and, for a send, the channel's seq) in one
   * UPDATE. The row lock it takes serializes every change of one chat, which is what makes `seq`
   * contiguous and `version` strictly growing; other chats are not blocked.
   */
  async lock(tx: Tx, chatId: string, opts: { newSeq?: Channel; count?: number } = {}): Promise<ChatCounters> {
    const n = opts.count ?? 1;
    const seqCol = opts.newSeq === 'backroom' ? 'last_seq_backroom' : 'last_seq_main';
    const now = tx.getPlatform().processDateProperty(new Date());
    const sets = opts.newSeq ? `${seqCol} = ${seqCol} + ${n}, version = version + ${n}, last_message_at = ?` : `version = version + 1`;
    const params = opts.newSeq ? [now, chatId] : [chatId];
    const rows = await tx
      .getConnection()
      .execute<{ seq: number; version: number; members_version: number }[]>(
        `update chats set ${sets} where id = ? returning ${seqCol} as seq, version, members_version`,
        params,
        'all',
        tx.getTransactionContext(),
      );
    if (!rows.length) throw AppError.notFound('chat');
    return { seq: Number(rows[0].seq), version: Number(rows[0].version), membersVersion: Number(rows[0].members_version) };
  }

  /** Inside the transaction that adds a registered participant: tells every pod its member list is old. */
  async bumpMembersVersion(tx: Tx, chatId: string): Promise<void> {
    await tx
      .getConnection()
      .execute('update chats set members_version = members_version + 1 where id = ?', [chatId], 'run', tx.getTransactionContext());
  }
}
