import type { ChatServices } from '../chat';
import { Chat, Message, User } from '../domain';

// The few database reads only the operator jobs need (the services' MessageStore has the rest).
// Loaded on demand by the jobs, so cache-only commands never load the ORM.

/** A message by id alone, with its chat's code; null when no chat has it. */
export async function findMessage(services: ChatServices, id: string): Promise<{ message: Message; chatCode: string } | null> {
  const em = services.store.em();
  const message = await em.findOne(Message, { id });
  if (!message) return null;
  const chat = await em.findOneOrFail(Chat, { id: message.chatId }, { fields: ['code'] });
  return { message, chatCode: chat.code };
}

/** Codes of the chats with the most recent messages, newest first (the windows worth warming). */
export async function hotChats(services: ChatServices, limit: number): Promise<string[]> {
  const rows = await services.store
    .em()
    .find(Chat, { $or: [{ lastSeqMain: { $gt: 0 } }, { lastSeqBackroom: { $gt: 0 } }] }, { orderBy: { lastMessageAt: 'desc' }, limit, fields: ['code'] });
  return rows.map((c) => c.code);
}

/** A registered user by id or by `@name` (account names are stored lower-cased); null when there is none. */
export async function findUser(services: ChatServices, idOrName: string): Promise<{ id: string; username: string } | null> {
  const em = services.store.em();
  const where = idOrName.startsWith('@') ? { username: idOrName.slice(1).toLowerCase() } : { id: idOrName };
  return em.findOne(User, where, { fields: ['id', 'username'] });
}
