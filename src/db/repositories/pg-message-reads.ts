import type { RawPg } from '../raw-pg';
import type { Channel, MessageFields } from '../../domain';

/**
 * A chat channel's messages by seq range, ascending, each row already shaped as MessageFields (the
 * columns are named after the entity's properties); prepared once per connection.
 */
const RANGE_STATEMENT = {
  name: 'chatpop_range_v2',
  text: `select id, channel, seq, version, username, username_is_reserved as "usernameIsReserved", user_id as "userId",
  content, message_type as "messageType", reply_to as "replyTo", pinned_until as "pinnedUntil",
  pin_amount_cents as "pinAmountCents", reactions, created_at as "createdAt", edited_at as "editedAt", deleted
from messages where chat_id = $1 and channel = $2 and seq between $3 and $4 order by seq`,
};

/** RANGE_STATEMENT, each row also carrying the chat's change counter as this server has it. */
const RANGE_WITH_VERSION_STATEMENT = {
  name: 'chatpop_range_with_version_v1',
  text: RANGE_STATEMENT.text.replace(/\sfrom messages /, `, (select version from chats where id = $1) as "chatVersion"\nfrom messages `),
};

const VERSION_STATEMENT = { name: 'chatpop_chat_version_v1', text: 'select version from chats where id = $1' };

/**
 * Read-only message reads on PostgreSQL without the ORM: a page of 50 read through MikroORM spent
 * most of its time making managed entities (change tracking, identity map) that a read never uses.
 */
export class PgMessageReads {
  constructor(private readonly pg: RawPg) {}

  range(chatId: string, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    return this.pg.query<MessageFields>({ ...RANGE_STATEMENT, values: [chatId, channel, lo, hi] });
  }

  /** The chat's change counter on the primary. */
  async version(chatId: string): Promise<number> {
    const [row] = await this.pg.query<{ version: number }>({ ...VERSION_STATEMENT, values: [chatId] });
    return row ? Number(row.version) : 0;
  }

  /** The range from a replica, with the chat's change counter as the replica has replayed it (null: no rows). */
  async rangeOn(
    replica: RawPg,
    chatId: string,
    channel: Channel,
    lo: number,
    hi: number,
  ): Promise<{ rows: MessageFields[]; version: number | null }> {
    const values = [chatId, channel, lo, hi];
    const rows = await replica.query<MessageFields & { chatVersion?: number }>({ ...RANGE_WITH_VERSION_STATEMENT, values });
    const version = rows.length ? Number(rows[0].chatVersion) : null;
    for (const row of rows) delete row.chatVersion;
    return { rows, version };
  }
}
