import { EventEmitter } from 'node:events';
import type { Channel } from '../domain';
import type { MessageView } from './message-view';

/** What the services announce after a commit; realtime/ turns these into socket.io events. */
export interface ChatEventMap {
  /**
   * One committed send batch of a chat channel, ascending by seq, with the chat's members version
   * under the batch's lock (see Chat.membersVersion; null when the store does not tell).
   */
  'messages:new': [{ chat_code: string; channel: Channel; messages: MessageView[]; members_version: number | null }];
  'message:updated': [{ chat_code: string; message: MessageView }];
  'message:deleted': [{ chat_code: string; message: MessageView }];
  'message:pinned': [{ chat_code: string; message: MessageView }];
  'reaction:updated': [{ chat_code: string; message_id: string; reactions: Record<string, number>; message: MessageView }];
  /** an anonymous participant lost its name to the name's registered owner */
  'participant:renamed': [ParticipantRenamed];
}

/** The payload of `participant:renamed`, as clients receive it. */
export interface ParticipantRenamed {
  chat_code: string;
  participant_id: string;
  old_username: string;
  username: string;
}

/** A typed, synchronous event bus local to one process. */
export class ChatEvents extends EventEmitter<ChatEventMap> {
  constructor() {
    super();
    // Many subscribers (gateway, monitor, user caches) are expected; this is not a leak.
    this.setMaxListeners(50);
  }
}
