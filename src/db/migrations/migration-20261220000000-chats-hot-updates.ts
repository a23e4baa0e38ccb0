import { Migration } from '@mikro-orm/migrations';

/**
 * Drops the index on `chats.last_message_at`. Every send updates its chat's row (seqs, version,
 * last_message_at); with that column indexed, PostgreSQL cannot update the row in place (a HOT
 * update), so each send wrote a new row version and an entry in every index of `chats`. The hot
 * chats' table and indexes then grew by megabytes a minute under load, and the send statement
 * slowed as they grew. Nothing needs the index: the operator's chat list sorts a scan, and a
 * user's conversations are found through their participants.
 */
export class Migration20261220000000ChatsHotUpdates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index if exists ${this.driver.getPlatform().quoteIdentifier('chats_last_message_at_index')}`);
  }

  override async down(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    this.addSql(`create index ${q('chats_last_message_at_index')} on ${q('chats')} (${q('last_message_at')})`);
  }
}
