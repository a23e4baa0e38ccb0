import type { RawPg } from '../db';
import type { Channel } from '../domain';
import { AppError } from '../errors';
import type { ChatRef } from './message-store';
import { newMessage, type CommittedBatch, type SendCommit, type SendRequest } from './send-commit';

const UNIQUE_VIOLATION = '23505';

/**
 * One statement, so one round trip and no BEGIN/COMMIT: the UPDATE on the chat row allocates the
 * batch's seqs and versions (and holds the row lock to the end, which serializes pods), the INSERT
 * takes the rows as arrays. Its text never changes, so each connection prepares it once.
 */
function sendStatement(channel: Channel): string {
  const seqCol = channel === 'backroom' ? 'last_seq_backroom' : 'last_seq_main';
  return `with c as (
  update chats set ${seqCol} = ${seqCol} + $2, version = version + $2, last_message_at = $3
  where id = $1 returning ${seqCol} as seq, version, members_version
), ins as (
  insert into messages (id, chat_id, channel, seq, version, participant_id, username, username_is_reserved,
    user_id, content, message_type, reply_to, client_id, reactions, created_at, deleted)
  select r.id, $1, '${channel}', c.seq - $2 + r.k, c.version - $2 + r.k, r.participant_id, r.username, r.reserved,
    r.user_id, r.content, r.message_type, r.reply_to, r.client_id, '{}'::jsonb, $3, false
  from c, unnest($4::uuid[], $5::uuid[], $6::text[], $7::boolean[], $8::uuid[], $9::text[], $10::text[], $11::uuid[], $12::text[])
    with ordinality as r(id, participant_id, username, reserved, user_id, content, message_type, reply_to, client_id, k)
)
select seq, version, members_version from c`;
}

const STATEMENTS: Record<Channel, { name: string; text: string }> = {
  main: { name: 'chatpop_send_main', text: sendStatement('main') },
  backroom: { name: 'chatpop_send_backroom', text: sendStatement('backroom') },
};

/**
 * The PostgreSQL send path: the whole batch in one statement, without the ORM. It assumes every
 * client_id is new; when one is not (a client's retry) the unique index refuses the statement,
 * nothing of it remains, and the batch goes through `careful` (the ORM commit), which looks the
 * stored messages up under the chat row lock. A batch naming one client_id twice goes there too.
 */
export class PgSendCommit implements SendCommit {
  constructor(
    private readonly pg: RawPg,
    private readonly careful: SendCommit,
  ) {}

  async commit(chat: ChatRef, channel: Channel, batch: SendRequest[]): Promise<CommittedBatch> {
    if (repeatsClientId(batch)) return this.careful.commit(chat, channel, batch);
    const now = new Date();
    const rows = batch.map((req) => newMessage(chat, channel, req, 0, 0, now));
    let last: { seq: number; version: number; members_version: number } | undefined;
    try {
      [last] = await this.pg.query<{ seq: number; version: number; members_version: number }>({
        ...STATEMENTS[channel],
        values: [
          chat.id,
          rows.length,
          now,
          rows.map((m) => m.id),
          rows.map((m) => m.participantId),
          rows.map((m) => m.username),
          rows.map((m) => m.usernameIsReserved),
          rows.map((m) => m.userId),
          rows.map((m) => m.content),
          rows.map((m) => m.messageType),
          rows.map((m) => m.replyTo),
          rows.map((m) => m.clientId),
        ],
      });
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) return this.careful.commit(chat, channel, batch);
      throw err;
    }
    if (!last) throw AppError.notFound('chat');
    const sends = rows.map((m, k) => {
      m.seq = last.seq - rows.length + 1 + k;
      m.version = last.version - rows.length + 1 + k;
      return { message: m, duplicate: false };
    });
    return { sends, membersVersion: last.members_version };
  }
}

function repeatsClientId(batch: SendRequest[]): boolean {
  const seen = new Set<string>();
  for (const { input } of batch) {
    const cid = input.client_id;
    if (!cid) continue;
    if (seen.has(cid)) return true;
    seen.add(cid);
  }
  return false;
}
