import { Entity, Index, PrimaryKey, PrimaryKeyProp, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A username inside one chat, anonymous or bound to a registered user; keyed by (chatId, id). */
@Entity({ tableName: 'participants' })
@Unique({ properties: ['chatId', 'usernameKey'] })
@Index({ properties: ['userId'] })
export class Participant {
  [PrimaryKeyProp]?: ['chatId', 'id'];

  @PrimaryKey({ type: 'uuid' })
  chatId!: string;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** As typed by the participant; uniqueness is on the lower-cased form in `usernameKey`. */
  @Property({ type: 'string', length: 32 })
  username!: string;

  @Property({ type: 'string', length: 32 })
  usernameKey!: string;

  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Property({ type: 'boolean' })
  isHost: boolean = false;

  @Property({ type: 'boolean' })
  backroomMember: boolean = false;

  /** The highest main-channel seq this participant has read. */
  @Property({ type: 'integer' })
  lastReadSeq: number = 0;

  @Property({ type: 'datetime' })
  joinedAt: Date = new Date();
}
