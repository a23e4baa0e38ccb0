import type { Orm } from '../orm';
import type { RawPg } from '../raw-pg';
import type { ReadReplicas } from '../read-replicas';
import { ChatRepository } from './chats';
import { MessageRepository } from './messages';
import { ParticipantRepository } from './participants';
import { Db, type Tx } from './tx';
import { UserRepository } from './users';

export { ChatRepository, type ChatRef, type ChatCounters } from './chats';
export { MessageRepository, type PageRows } from './messages';
export type { MessageText } from './pg-message-reads';
export { ParticipantRepository, type MembershipUnread, type Memberships } from './participants';
export { UserRepository } from './users';
export type { Tx } from './tx';

/**
 * The data-access boundary: every query of chats, participants, messages and users is in one of
 * these repositories, which scope each to its chat; services hold no EntityManager.
 */
export class Repositories {
  readonly chats: ChatRepository;
  readonly participants: ParticipantRepository;
  readonly messages: MessageRepository;
  readonly users: UserRepository;
  private readonly db: Db;

  constructor(orm: Orm, pg: RawPg | null = null, distributed = false, replicas: ReadReplicas | null = null) {
    this.db = new Db(orm, distributed);
    this.chats = new ChatRepository(this.db);
    this.participants = new ParticipantRepository(this.db);
    this.messages = new MessageRepository(this.db, pg, replicas);
    this.users = new UserRepository(this.db);
  }

  /** Runs `fn` in one transaction; pass `tx` to the repository calls inside. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }
}
