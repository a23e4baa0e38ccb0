import type { SessionClaims } from '../auth';
import type { Tx } from '../db';
import { AppError } from '../errors';
import type { MessageStore } from './message-store';

/**
 * The back room is the host's and its members': every use of it (reading, sending, reacting) asks
 * here, fresh from the database, since the host admits members at any time. `tx`: the caller's
 * transaction, when it is in one.
 */
export async function assertBackroomMember(store: MessageStore, session: SessionClaims, tx?: Tx): Promise<void> {
  if (!(await store.repos.participants.inBackroom(session.chat_id, session.sub, tx))) {
    throw AppError.forbidden('only the host and back-room members may use the back room');
  }
}
