import type { Channel } from '../domain';

/** The socket.io room of a chat channel: everyone joined sits in `chat:CODE`, the back room adds `chat:CODE:backroom`. */
export function roomOf(code: string, channel: Channel): string {
  return channel === 'main' ? `chat:${code}` : `chat:${code}:backroom`;
}

/** The room of every socket connected with a user's token: inbox news and new conversations go there. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The room of every socket connected with a session token of a registered user: a logout ends them too. */
export function userSessionsRoom(userId: string): string {
  return `user-sessions:${userId}`;
}
