import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * The `settings` table (src/domain/setting.ts): run-time switches shared by every pod when there is
 * no Redis. SQL from scripts/print-schema.js for each platform.
 */
export class Migration20261201000000Settings extends Migration {
  override async up(): Promise<void> {
    this.addSql(this.driver.getPlatform() instanceof PostgreSqlPlatform ? POSTGRES : SQLITE);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists ${this.driver.getPlatform().quoteIdentifier('settings')}`);
  }
}

const POSTGRES =
  'create table "settings" ("name" varchar(64) not null, "value" text not null, "updated_at" timestamptz not null, constraint "settings_pkey" primary key ("name"))';

const SQLITE =
  'create table `settings` (`name` text not null, `value` text not null, `updated_at` datetime not null, primary key (`name`))';
