import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type ChatKind = 'group' | 'direct';

/**
 * A room. Holds the per-channel sequence counters and the change counter: the single row every
 * send and change locks, which is what makes `seq` gap-free and `version` strictly growing.
 */
@Entity({ tableName: 'chats' })
export class Chat {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** 8 characters, A–Z 0–9; the public name of the chat and its cache hash tag. Unique in `chat_codes`. */
  @Property({ type: 'string', length: 8 })
  code!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 16 })
  kind: ChatKind = 'group';

  @Property({ type: 'uuid', nullable: true })
  hostUserId: string | null = null;

  /** For direct chats: "<smaller user id>:<larger user id>"; unique in `chat_codes`, so a pair gets one chat. */
  @Property({ type: 'string', length: 80, nullable: true })
  directKey: string | null = null;

  @Property({ type: 'integer' })
  lastSeqMain: number = 0;

  @Property({ type: 'integer' })
  lastSeqBackroom: number = 0;

  /** The chat's change counter: bumped by every create, edit, delete, reaction and pin. */
  @Property({ type: 'integer' })
  version: number = 0;

  /**
   * Bumped, under the chat row lock, whenever a registered user becomes a participant: a pod's
   * cached list of the chat's registered members is current while this number is unchanged.
   */
  @Property({ type: 'integer', default: 0 })
  membersVersion: number = 0;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** Not indexed: every send sets it, and an indexed column would make that update non-HOT. */
  @Property({ type: 'datetime' })
  lastMessageAt: Date = new Date();
}
