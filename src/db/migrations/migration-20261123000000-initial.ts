import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

/**
 * The initial schema, as MikroORM derives it from src/domain for each platform
 * (scripts/print-schema.js); test/db checks that entities and migrations still agree.
 */
export class Migration20261123000000Initial extends Migration {
  override async up(): Promise<void> {
    const statements = this.driver.getPlatform() instanceof PostgreSqlPlatform ? POSTGRES : SQLITE;
    for (const sql of statements) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const table of ['reactions', 'messages', 'participants', 'chats', 'users']) {
      this.addSql(`drop table if exists ${this.driver.getPlatform().quoteIdentifier(table)}`);
    }
  }
}

const POSTGRES = [
  'create table "chats" ("id" uuid not null, "code" varchar(8) not null, "name" varchar(100) not null, "kind" varchar(16) not null default \'group\', "host_user_id" uuid null, "direct_key" varchar(80) null, "last_seq_main" int not null default 0, "last_seq_backroom" int not null default 0, "version" int not null default 0, "created_at" timestamptz not null, "last_message_at" timestamptz not null, constraint "chats_pkey" primary key ("id"))',
  'alter table "chats" add constraint "chats_code_unique" unique ("code")',
  'alter table "chats" add constraint "chats_direct_key_unique" unique ("direct_key")',
  'create index "chats_last_message_at_index" on "chats" ("last_message_at")',
  'create table "messages" ("id" uuid not null, "chat_id" uuid not null, "channel" varchar(16) not null default \'main\', "seq" int not null, "version" int not null, "participant_id" uuid not null, "username" varchar(32) not null, "username_is_reserved" boolean not null default false, "user_id" uuid null, "content" text not null, "message_type" varchar(16) not null default \'normal\', "reply_to" uuid null, "client_id" varchar(64) null, "pinned_until" timestamptz null, "pin_amount_cents" int null, "reactions" jsonb not null, "created_at" timestamptz not null, "edited_at" timestamptz null, "deleted" boolean not null default false, constraint "messages_pkey" primary key ("id"))',
  'create index "messages_chat_id_version_index" on "messages" ("chat_id", "version")',
  'alter table "messages" add constraint "messages_chat_id_client_id_unique" unique ("chat_id", "client_id")',
  'alter table "messages" add constraint "messages_chat_id_channel_seq_unique" unique ("chat_id", "channel", "seq")',
  'create table "participants" ("id" uuid not null, "chat_id" uuid not null, "username" varchar(32) not null, "username_key" varchar(32) not null, "user_id" uuid null, "is_host" boolean not null default false, "backroom_member" boolean not null default false, "last_read_seq" int not null default 0, "joined_at" timestamptz not null, constraint "participants_pkey" primary key ("id"))',
  'create index "participants_user_id_index" on "participants" ("user_id")',
  'alter table "participants" add constraint "participants_chat_id_username_key_unique" unique ("chat_id", "username_key")',
  'create table "reactions" ("id" uuid not null, "chat_id" uuid not null, "message_id" uuid not null, "participant_id" uuid not null, "emoji" varchar(32) not null, "created_at" timestamptz not null, constraint "reactions_pkey" primary key ("id"))',
  'alter table "reactions" add constraint "reactions_message_id_participant_id_emoji_unique" unique ("message_id", "participant_id", "emoji")',
  'create table "users" ("id" uuid not null, "username" varchar(32) not null, "display_name" varchar(32) not null, "password_hash" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"))',
  'alter table "users" add constraint "users_username_unique" unique ("username")',
];

const SQLITE = [
  "create table `chats` (`id` text not null, `code` text not null, `name` text not null, `kind` text not null default 'group', `host_user_id` text null, `direct_key` text null, `last_seq_main` integer not null default 0, `last_seq_backroom` integer not null default 0, `version` integer not null default 0, `created_at` datetime not null, `last_message_at` datetime not null, primary key (`id`))",
  'create unique index `chats_code_unique` on `chats` (`code`)',
  'create unique index `chats_direct_key_unique` on `chats` (`direct_key`)',
  'create index `chats_last_message_at_index` on `chats` (`last_message_at`)',
  "create table `messages` (`id` text not null, `chat_id` text not null, `channel` text not null default 'main', `seq` integer not null, `version` integer not null, `participant_id` text not null, `username` text not null, `username_is_reserved` integer not null default false, `user_id` text null, `content` text not null, `message_type` text not null default 'normal', `reply_to` text null, `client_id` text null, `pinned_until` datetime null, `pin_amount_cents` integer null, `reactions` json not null, `created_at` datetime not null, `edited_at` datetime null, `deleted` integer not null default false, primary key (`id`))",
  'create index `messages_chat_id_version_index` on `messages` (`chat_id`, `version`)',
  'create unique index `messages_chat_id_client_id_unique` on `messages` (`chat_id`, `client_id`)',
  'create unique index `messages_chat_id_channel_seq_unique` on `messages` (`chat_id`, `channel`, `seq`)',
  'create table `participants` (`id` text not null, `chat_id` text not null, `username` text not null, `username_key` text not null, `user_id` text null, `is_host` integer not null default false, `backroom_member` integer not null default false, `last_read_seq` integer not null default 0, `joined_at` datetime not null, primary key (`id`))',
  'create index `participants_user_id_index` on `participants` (`user_id`)',
  'create unique index `participants_chat_id_username_key_unique` on `participants` (`chat_id`, `username_key`)',
  'create table `reactions` (`id` text not null, `chat_id` text not null, `message_id` text not null, `participant_id` text not null, `emoji` text not null, `created_at` datetime not null, primary key (`id`))',
  'create unique index `reactions_message_id_participant_id_emoji_unique` on `reactions` (`message_id`, `participant_id`, `emoji`)',
  'create table `users` (`id` text not null, `username` text not null, `display_name` text not null, `password_hash` text not null, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`))',
  'create unique index `users_username_unique` on `users` (`username`)',
];
