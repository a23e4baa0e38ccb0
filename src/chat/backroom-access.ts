import type { SessionClaims } from '../auth';
import type { Em } from '../db';
import { Participant } from '../domain';
import { AppError } from '../errors';
import type { MessageStore } from './message-store';

/**
 * The back room is the host's and its members': every use of it (reading, sending, reacting) asks
 * here, fresh from the database, since the host admits members at any time. `em`: a transaction's,
 * when the caller is in one.
 */
export async function assertBackroomMember(store: MessageStore, session: SessionClaims, em: Em = store.em()): Promise<void> {
  const p = await em.findOne(Participant, { id: session.sub, chatId: session.chat_id }, { fields: ['isHost', 'backroomMember'] });
  if (!p || !(p.isHost || p.backroomMember)) throw AppError.forbidden('only the host and back-room members may use the back room');
}
