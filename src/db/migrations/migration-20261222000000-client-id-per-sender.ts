import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

const OLD = 'messages_chat_id_client_id_unique';
const NEW = 'messages_chat_id_participant_id_channel_client_id_unique';

/**
 * `client_id` is unique per sender and channel, no longer per chat: with one key per chat, a
 * participant who sent a client_id another had used got that other's message back (a back-room one
 * included) and their own was never stored. Every stored row keeps its client_id: what was unique
 * per chat is unique per sender and channel too.
 */
export class Migration20261222000000ClientIdPerSender extends Migration {
  override async up(): Promise<void> {
    this.dropUnique(OLD);
    this.addUnique(NEW, ['chat_id', 'participant_id', 'channel', 'client_id']);
  }

  /** Going back, two senders' rows may share a client_id: the later rows lose theirs (kept: the earliest). */
  override async down(): Promise<void> {
    this.addSql(`update messages set client_id = null where client_id is not null and exists (
  select 1 from messages o where o.chat_id = messages.chat_id and o.client_id = messages.client_id
    and (o.created_at < messages.created_at or (o.created_at = messages.created_at and o.id < messages.id)))`);
    this.dropUnique(NEW);
    this.addUnique(OLD, ['chat_id', 'client_id']);
  }

  // PostgreSQL holds them as table constraints, SQLite as unique indexes (as the initial schema made them).
  private dropUnique(name: string) {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    this.addSql(this.onPostgres() ? `alter table ${q('messages')} drop constraint ${q(name)}` : `drop index ${q(name)}`);
  }

  private addUnique(name: string, columns: string[]) {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    const list = columns.map(q).join(', ');
    this.addSql(
      this.onPostgres()
        ? `alter table ${q('messages')} add constraint ${q(name)} unique (${list})`
        : `create unique index ${q(name)} on ${q('messages')} (${list})`,
    );
  }

  private onPostgres(): boolean {
    return this.driver.getPlatform() instanceof PostgreSqlPlatform;
  }
}
