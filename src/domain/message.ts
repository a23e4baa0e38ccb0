import { Entity, Index, PrimaryKey, PrimaryKeyProp, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type Channel = 'main' | 'backroom';
export type MessageType = 'normal' | 'host' | 'system';
export const CHANNELS: readonly Channel[] = ['main', 'backroom'];

/**
 * One message; (chatId, channel, seq) is unique and contiguous from 1. Keyed by (chatId, id): the
 * chat is the distribution column (docs/design.md "Distribution by chat").
 */
@Entity({ tableName: 'messages' })
@Unique({ properties: ['chatId', 'channel', 'seq'] })
// Per sender and channel: a client_id someone else chose never answers (or swallows) another's send.
@Unique({ properties: ['chatId', 'participantId', 'channel', 'clientId'] })
@Index({ properties: ['chatId', 'version'] })
export class Message {
  [PrimaryKeyProp]?: ['chatId', 'id'];

  @PrimaryKey({ type: 'uuid' })
  chatId!: string;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 16 })
  channel: Channel = 'main';

  @Property({ type: 'integer' })
  seq!: number;

  /** The chat's change counter at this message's last change. */
  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'uuid' })
  participantId!: string;

  @Property({ type: 'string', length: 32 })
  username!: string;

  @Property({ type: 'boolean' })
  usernameIsReserved: boolean = false;

  @Property({ type: 'uuid', nullable: true })
  userId: string | null = null;

  @Property({ type: 'text' })
  content!: string;

  @Property({ type: 'string', length: 16 })
  messageType: MessageType = 'normal';

  @Property({ type: 'uuid', nullable: true })
  replyTo: string | null = null;

  /** The sender's idempotency key; the same sender repeating it in the channel gets the stored message. */
  @Property({ type: 'string', length: 64, nullable: true })
  clientId: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  pinnedUntil: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  pinAmountCents: number | null = null;

  /** The participant who pinned it: while the pin runs, only they or the host may extend it. */
  @Property({ type: 'uuid', nullable: true })
  pinnedBy: string | null = null;

  /** emoji → count, kept in the same transaction as the reactions rows. */
  @Property({ type: 'json' })
  reactions: Record<string, number> = {};

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  editedAt: Date | null = null;

  @Property({ type: 'boolean' })
  deleted: boolean = false;
}

/** What a message view is made of: a stored message's fields (an entity, or a row read without the ORM). */
export type MessageFields = Pick<
  Message,
  | 'id'
  | 'channel'
  | 'seq'
  | 'version'
  | 'username'
  | 'usernameIsReserved'
  | 'userId'
  | 'content'
  | 'messageType'
  | 'replyTo'
  | 'pinnedUntil'
  | 'pinAmountCents'
  | 'reactions'
  | 'createdAt'
  | 'editedAt'
  | 'deleted'
>;
