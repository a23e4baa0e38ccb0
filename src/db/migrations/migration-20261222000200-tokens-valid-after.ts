import { Migration } from '@mikro-orm/migrations';

/** `users.tokens_valid_after` (src/domain/user.ts): logout revokes the user's tokens issued before it. */
export class Migration20261222000200TokensValidAfter extends Migration {
  override async up(): Promise<void> {
    const platform = this.driver.getPlatform();
    const q = (name: string) => platform.quoteIdentifier(name);
    this.addSql(`alter table ${q('users')} add column ${q('tokens_valid_after')} ${platform.getDateTimeTypeDeclarationSQL({})} null`);
  }

  override async down(): Promise<void> {
    const q = (name: string) => this.driver.getPlatform().quoteIdentifier(name);
    this.addSql(`alter table ${q('users')} drop column ${q('tokens_valid_after')}`);
  }
}
