import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { ChatKind } from './chat';

/**
 * A chat's code, kind and direct key, keyed by code: the small table that finds a chat (and keeps
 * codes and direct keys unique) without asking every shard. A reference table under Citus (a copy
 * on every node), since `chats` is distributed by id (docs/design.md "Distribution by chat").
 */
@Entity({ tableName: 'chat_codes' })
export class ChatCode {
  @PrimaryKey({ type: 'string', length: 8 })
  code!: string;

  @Property({ type: 'uuid' })
  @Unique()
  chatId!: string;

  @Property({ type: 'string', length: 16 })
  kind: ChatKind = 'group';

  @Property({ type: 'string', length: 80, nullable: true })
  @Unique()
  directKey: string | null = null;
}
