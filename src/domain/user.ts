import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A registered account; its username is reserved in every chat. */
@Entity({ tableName: 'users' })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased so reservations are case-insensitive. */
  @Property({ type: 'string', length: 32 })
  @Unique()
  username!: string;

  @Property({ type: 'string', length: 32 })
  displayName!: string;

  @Property({ type: 'string', length: 255, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  /** Set by logout: the user's tokens issued before it are refused. */
  @Property({ type: 'datetime', nullable: true })
  tokensValidAfter: Date | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
