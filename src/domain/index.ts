export { User } from './user';
export { Chat, type ChatKind } from './chat';
export { ChatCode } from './chat-code';
export { Participant } from './participant';
export { Message, CHANNELS, type Channel, type MessageFields, type MessageType } from './message';
export { Reaction } from './reaction';
export { Setting } from './setting';
export {
  charCount,
  displayUsername,
  isMixedScript,
  isReservedUsername,
  MAX_USERNAME_CHARS,
  RESERVED_USERNAMES,
  skeleton,
  usernameKey,
} from './username';

import { Chat } from './chat';
import { ChatCode } from './chat-code';
import { Message } from './message';
import { Participant } from './participant';
import { Reaction } from './reaction';
import { Setting } from './setting';
import { User } from './user';

/** Every entity, for the ORM's discovery. */
export const ENTITIES = [User, Chat, ChatCode, Participant, Message, Reaction, Setting];
