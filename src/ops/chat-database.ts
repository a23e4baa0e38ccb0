import type { ChatServices } from '../chat';
import { usernameKey, type Message } from '../domain';

// The few database reads only the operator jobs need (the services' MessageStore has the rest).
// Loaded on demand by the jobs, so cache-only commands never load the ORM.

/** A message by id alone, with its chat's code; null when no chat has it. */
export async function findMessage(services: ChatServices, id: string): Promise<{ message: Message; chatCode: string } | null> {
  const message = await services.store.repos.messages.anywhere(id);
  const chatCode = message && (await services.store.repos.chats.codeOf(message.chatId));
  return message && chatCode ? { message, chatCode } : null;
}

/** Codes of the chats with the most recent messages, newest first (the windows worth warming). */
export async function hotChats(services: ChatServices, limit: number): Promise<string[]> {
  return services.store.repos.chats.mostRecent(limit);
}

/** A registered user by id or by `@name` (account names are stored normalized); null when there is none. */
export async function findUser(services: ChatServices, idOrName: string): Promise<{ id: string; username: string } | null> {
  const users = services.store.repos.users;
  const id = idOrName.startsWith('@') ? await users.idOf(usernameKey(idOrName.slice(1))) : idOrName;
  const user = id ? await users.byId(id) : null;
  return user ? { id: user.id, username: user.username } : null;
}
