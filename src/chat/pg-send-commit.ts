import type { RawPg } from '../db';
import { AppError } from '../errors';
import { idempotencyKey, newMessage, type CommittedBatch, type SendCommit, type SendGroup } from './send-commit';

const UNIQUE_VIOLATION = '23505';
/** SQLSTATE class 22: a value the database refused (input validation should have caught it). */
const DATA_EXCEPTION = /^22/;

/**
 * The sends of many chats in one statement, so one round trip, one commit and no BEGIN: the chat
 * rows are locked in id order first (so two pods' statements cannot deadlock), then one UPDATE
 * allocates each chat's seqs and versions (the row locks, held to the end, serialize pods) and one
 * INSERT takes the rows as arrays, numbering them per chat channel in arrival order. Its text
 * never changes, so each connection prepares it once.
 */
const SEND_STATEMENT = {
  name: 'chatpop_send_v2',
  text: `with r as (
  select * from unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::boolean[], $8::uuid[], $9::text[], $10::text[], $11::uuid[], $12::text[])
    with ordinality as r(chat_id, channel, id, participant_id, username, reserved, user_id, content, message_type, reply_to, client_id, k)
), n as (
  select chat_id, count(*) filter (where channel = 'main') as main, count(*) filter (where channel = 'backroom') as backroom, count(*) as total
  from r group by chat_id
), locked as materialized (
  select id from chats where id in (select chat_id from n) order by id for update
), c as (
  update chats set last_seq_main = last_seq_main + n.main, last_seq_backroom = last_seq_backroom + n.backroom,
    version = version + n.total, last_message_at = $1
  from n where chats.id = n.chat_id and chats.id in (select id from locked)
  returning chats.id, chats.last_seq_main, chats.last_seq_backroom, chats.version, chats.members_version, n.main, n.backroom, n.total
), ins as (
  insert into messages (id, chat_id, channel, seq, version, participant_id, username, username_is_reserved,
    user_id, content, message_type, reply_to, client_id, reactions, created_at, deleted)
  select r.id, r.chat_id, r.channel,
    (case when r.channel = 'main' then c.last_seq_main - c.main else c.last_seq_backroom - c.backroom end)
      + row_number() over (partition by r.chat_id, r.channel order by r.k),
    c.version - c.total + row_number() over (partition by r.chat_id order by r.k),
    r.participant_id, r.username, r.reserved, r.user_id, r.content, r.message_type, r.reply_to, r.client_id, '{}'::jsonb, $1, false
  from r join c on c.id = r.chat_id
)
select id, last_seq_main, last_seq_backroom, version, members_version from c`,
};

/**
 * One chat's sends, for a database distributed by chat (Citus): the same work as SEND_STATEMENT,
 * but every statement names its chat by equality ($2), so each runs on that chat's shard alone.
 * One row is updated, so there is no lock order to keep.
 */
const SEND_ONE_CHAT_STATEMENT = {
  name: 'chatpop_send_one_chat_v1',
  text: `with r as (
  select * from unnest($3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::boolean[], $8::uuid[], $9::text[], $10::text[], $11::uuid[], $12::text[])
    with ordinality as r(channel, id, participant_id, username, reserved, user_id, content, message_type, reply_to, client_id, k)
), n as (
  select count(*) filter (where channel = 'main') as main, count(*) filter (where channel = 'backroom') as backroom, count(*) as total from r
), c as (
  update chats set last_seq_main = last_seq_main + n.main, last_seq_backroom = last_seq_backroom + n.backroom,
    version = version + n.total, last_message_at = $1
  from n where chats.id = $2
  returning chats.id, chats.last_seq_main, chats.last_seq_backroom, chats.version, chats.members_version, n.main, n.backroom, n.total
), ins as (
  insert into messages (id, chat_id, channel, seq, version, participant_id, username, username_is_reserved,
    user_id, content, message_type, reply_to, client_id, reactions, created_at, deleted)
  select r.id, $2, r.channel,
    (case when r.channel = 'main' then c.last_seq_main - c.main else c.last_seq_backroom - c.backroom end)
      + row_number() over (partition by r.channel order by r.k),
    c.version - c.total + row_number() over (order by r.k),
    r.participant_id, r.username, r.reserved, r.user_id, r.content, r.message_type, r.reply_to, r.client_id, '{}'::jsonb, $1, false
  from r cross join c
)
select id, last_seq_main, last_seq_backroom, version, members_version from c`,
};

interface ChatRow {
  id: string;
  last_seq_main: number;
  last_seq_backroom: number;
  version: number;
  members_version: number;
}

/**
 * The PostgreSQL send path, without the ORM. It assumes every client_id is new; when one is not (a
 * client's retry) the unique index refuses the statement, nothing of it remains, and the groups go
 * through `careful` (the ORM commit), which looks stored messages up under the chat row lock.
 * Groups where one sender names a client_id twice go there too. So do the groups of a statement
 * refused for a value (SQLSTATE class 22): `careful` commits each group alone, so only the chat
 * channel whose send holds the value fails, not every chat sharing the statement.
 */
export class PgSendCommit implements SendCommit {
  readonly spansChats = true;

  /** `perChat`: a database distributed by chat gets one statement per chat (in parallel), never one spanning chats. */
  constructor(
    private readonly pg: RawPg,
    private readonly careful: SendCommit,
    private readonly perChat = false,
  ) {}

  async commit(groups: SendGroup[]): Promise<(CommittedBatch | { error: unknown })[]> {
    if (groups.some((g) => repeatsClientId(g))) return this.careful.commit(groups);
    if (!this.perChat) return this.commitTogether(groups);
    const byChat = new Map<string, number[]>();
    groups.forEach((g, i) => byChat.set(g.chat.id, [...(byChat.get(g.chat.id) ?? []), i]));
    const results: (CommittedBatch | { error: unknown })[] = new Array(groups.length);
    await Promise.all(
      [...byChat.values()].map(async (indexes) => {
        const answers = await this.commitTogether(indexes.map((i) => groups[i]));
        indexes.forEach((g, k) => (results[g] = answers[k]));
      }),
    );
    return results;
  }

  /** The groups in one statement: SEND_STATEMENT, or SEND_ONE_CHAT_STATEMENT when they are one chat's and perChat is set. */
  private async commitTogether(groups: SendGroup[]): Promise<(CommittedBatch | { error: unknown })[]> {
    const now = new Date();
    const rows = groups.map((g) => g.sends.map((req) => newMessage(g.chat, g.channel, req, 0, 0, now)));
    const all = rows.flat();
    let chats: ChatRow[];
    try {
      chats = await this.pg.query<ChatRow>({
        ...(this.perChat ? SEND_ONE_CHAT_STATEMENT : SEND_STATEMENT),
        values: [
          now,
          this.perChat ? groups[0].chat.id : all.map((m) => m.chatId),
          all.map((m) => m.channel),
          all.map((m) => m.id),
          all.map((m) => m.participantId),
          all.map((m) => m.username),
          all.map((m) => m.usernameIsReserved),
          all.map((m) => m.userId),
          all.map((m) => m.content),
          all.map((m) => m.messageType),
          all.map((m) => m.replyTo),
          all.map((m) => m.clientId),
        ],
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === UNIQUE_VIOLATION || (code && DATA_EXCEPTION.test(code))) return this.careful.commit(groups);
      throw err;
    }
    return numbered(groups, rows, chats);
  }
}

/** Gives each stored row the seq and version the statement gave it: counted back from the chat's new counters. */
function numbered(groups: SendGroup[], rows: ReturnType<typeof newMessage>[][], chats: ChatRow[]): (CommittedBatch | { error: unknown })[] {
  // What is left to number per chat (both channels share `version`) and per chat channel.
  const next = new Map<string, { row: ChatRow; version: number; main: number; backroom: number }>();
  for (const row of chats) next.set(row.id, { row, version: row.version, main: row.last_seq_main, backroom: row.last_seq_backroom });
  const result: (CommittedBatch | { error: unknown })[] = new Array(groups.length);
  // Walk backwards: the last row of a chat channel holds its new last seq.
  for (let g = groups.length - 1; g >= 0; g--) {
    const counters = next.get(groups[g].chat.id);
    if (!counters) {
      result[g] = { error: AppError.notFound('chat') };
      continue;
    }
    const channel = groups[g].channel;
    for (let i = rows[g].length - 1; i >= 0; i--) {
      rows[g][i].seq = counters[channel]--;
      rows[g][i].version = counters.version--;
    }
    result[g] = { sends: rows[g].map((message) => ({ message, duplicate: false })), membersVersion: counters.row.members_version };
  }
  return result;
}

/** Whether one sender names a client_id twice in the group (two senders' alike are both stored). */
function repeatsClientId(group: SendGroup): boolean {
  const seen = new Set<string>();
  for (const { session, input } of group.sends) {
    if (!input.client_id) continue;
    const key = idempotencyKey(session.sub, input.client_id);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}
