import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * `messages.pinned_by` (src/domain/message.ts): who paid for a running pin, so nobody else can
 * overwrite it. Pins made before have none: until they run out, only the host may extend them.
 */
export class Migration20261222000100PinnedBy extends Migration {
  override async up(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    const type = this.driver.getPlatform() instanceof PostgreSqlPlatform ? 'uuid' : 'text';
    this.addSql(`alter table ${q('messages')} add column ${q('pinned_by')} ${type} null`);
  }

  override async down(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    this.addSql(`alter table ${q('messages')} drop column ${q('pinned_by')}`);
  }
}
