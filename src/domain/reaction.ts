import { Entity, PrimaryKey, PrimaryKeyProp, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** One participant's emoji on one message (at most one per participant and emoji). */
@Entity({ tableName: 'reactions' })
@Unique({ properties: ['chatId', 'messageId', 'participantId', 'emoji'] })
export class Reaction {
  [PrimaryKeyProp]?: ['chatId', 'id'];

  @PrimaryKey({ type: 'uuid' })
  chatId!: string;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  messageId!: string;

  @Property({ type: 'uuid' })
  participantId!: string;

  @Property({ type: 'string', length: 32 })
  emoji!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
