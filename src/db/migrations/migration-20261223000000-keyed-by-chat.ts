import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

/** The tables that grow with messages, keyed by (chat_id, id) so they can be distributed by chat. */
const BY_CHAT = ['messages', 'participants', 'reactions'];
const REACTION_UNIQUE_OLD = {
  name: 'reactions_message_id_participant_id_emoji_unique',
  columns: ['message_id', 'participant_id', 'emoji'],
};
const REACTION_UNIQUE_NEW = {
  name: 'reactions_chat_id_message_id_participant_id_emoji_unique',
  columns: ['chat_id', 'message_id', 'participant_id', 'emoji'],
};

/**
 * Distribution by chat (docs/design.md): `messages`, `participants` and `reactions` are keyed by
 * (chat_id, id), a reaction is unique per (chat_id, message_id, participant_id, emoji), and chat
 * codes and direct keys move their uniqueness to `chat_codes` (code → chat id), filled from `chats`.
 * Each table is locked while its key is rebuilt (PostgreSQL: a new index; SQLite: a copy of the table).
 * On PostgreSQL, an index `<table>_pkey_by_chat` on (chat_id, id) built beforehand with CREATE UNIQUE
 * INDEX CONCURRENTLY becomes the key instead, so the lock lasts no longer than the swap
 * (docs/deploy.md, "Scaling PostgreSQL").
 */
export class Migration20261223000000KeyedByChat extends Migration {
  override async up(): Promise<void> {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    const pg = this.onPostgres();
    this.addSql(
      pg
        ? 'create table "chat_codes" ("code" varchar(8) not null, "chat_id" uuid not null, "kind" varchar(16) not null default \'group\', "direct_key" varchar(80) null, constraint "chat_codes_pkey" primary key ("code"))'
        : "create table `chat_codes` (`code` text not null, `chat_id` text not null, `kind` text not null default 'group', `direct_key` text null, primary key (`code`))",
    );
    this.addSql(`insert into ${q('chat_codes')} (code, chat_id, kind, direct_key) select code, id, kind, direct_key from ${q('chats')}`);
    this.addUnique('chat_codes', 'chat_codes_chat_id_unique', ['chat_id']);
    this.addUnique('chat_codes', 'chat_codes_direct_key_unique', ['direct_key']);
    this.dropUnique('chats', 'chats_code_unique');
    this.dropUnique('chats', 'chats_direct_key_unique');
    await this.rekey(['chat_id', 'id']);
    this.dropUnique('reactions', REACTION_UNIQUE_OLD.name);
    this.addUnique('reactions', REACTION_UNIQUE_NEW.name, REACTION_UNIQUE_NEW.columns);
  }

  override async down(): Promise<void> {
    // Re-keyed first: on SQLite, rekey copies the indexes as they are when the migration starts.
    await this.rekey(['id']);
    this.dropUnique('reactions', REACTION_UNIQUE_NEW.name);
    this.addUnique('reactions', REACTION_UNIQUE_OLD.name, REACTION_UNIQUE_OLD.columns);
    this.addUnique('chats', 'chats_code_unique', ['code']);
    this.addUnique('chats', 'chats_direct_key_unique', ['direct_key']);
    this.addSql(`drop table ${this.driver.getPlatform().quoteIdentifier('chat_codes')}`);
  }

  /** Gives each table of BY_CHAT this primary key. */
  private async rekey(columns: string[]): Promise<void> {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    const key = columns.map(q).join(', ');
    for (const table of BY_CHAT) {
      if (this.onPostgres()) {
        const prebuilt = `${table}_pkey_by_chat`;
        const [row] =
          columns.length > 1 ? await this.execute(`select to_regclass('${prebuilt}') is not null as ready`) : [{ ready: false }];
        const newKey = row.ready ? `using index ${q(prebuilt)}` : `(${key})`;
        this.addSql(
          `alter table ${q(table)} drop constraint ${q(`${table}_pkey`)}, add constraint ${q(`${table}_pkey`)} primary key ${newKey}`,
        );
        continue;
      }
      // SQLite cannot change a primary key: the table is copied into one made from its own DDL.
      const [created] = await this.execute(`select sql from sqlite_master where type = 'table' and name = '${table}'`);
      const indexes = await this.execute(
        `select sql from sqlite_master where type = 'index' and tbl_name = '${table}' and sql is not null`,
      );
      const ddl = String(created.sql)
        .replace(/^create table [`"]?\w+[`"]?/i, `create table ${q(`${table}__rekeyed`)}`)
        .replace(/primary key \((`\w+`(, )?)+\)/i, `primary key (${key})`);
      this.addSql(ddl);
      this.addSql(`insert into ${q(`${table}__rekeyed`)} select * from ${q(table)}`);
      this.addSql(`drop table ${q(table)}`);
      this.addSql(`alter table ${q(`${table}__rekeyed`)} rename to ${q(table)}`);
      for (const index of indexes) this.addSql(String(index.sql));
    }
  }

  // PostgreSQL holds unique keys as table constraints, SQLite as unique indexes (as the initial schema made them).
  private dropUnique(table: string, name: string) {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    this.addSql(this.onPostgres() ? `alter table ${q(table)} drop constraint ${q(name)}` : `drop index ${q(name)}`);
  }

  private addUnique(table: string, name: string, columns: string[]) {
    const q = (id: string) => this.driver.getPlatform().quoteIdentifier(id);
    const list = columns.map(q).join(', ');
    this.addSql(
      this.onPostgres()
        ? `alter table ${q(table)} add constraint ${q(name)} unique (${list})`
        : `create unique index ${q(name)} on ${q(table)} (${list})`,
    );
  }

  private onPostgres(): boolean {
    return this.driver.getPlatform() instanceof PostgreSqlPlatform;
  }
}
