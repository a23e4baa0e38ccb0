import { Migration } from '@mikro-orm/migrations';

/**
 * `chats.members_version` (src/domain/chat.ts): lets the send path tell whether a cached list of a
 * chat's registered members is still whole. Existing rows start at 0, which no pod has cached yet.
 */
export class Migration20261215000000MembersVersion extends Migration {
  override async up(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    this.addSql(`alter table ${q('chats')} add column ${q('members_version')} integer not null default 0`);
  }

  override async down(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    this.addSql(`alter table ${q('chats')} drop column ${q('members_version')}`);
  }
}
