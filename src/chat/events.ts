import { EventEmitter } from 'node:events';
import type { Channel } from '../domain';
import type { MessageView } from './message-view';
import type { ParticipantRenamed } from './message-wire';

export type { ParticipantRenamed } from './message-wire';

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

/** A chat's change that can change its members' inboxes: a send, an edit or a delete. */
export interface InboxChange {
  chat_code: string;
  channel: Channel;
  /** for sends: the members version of the batch (see Chat.membersVersion) */
  members_version: number | null;
}

/** A typed, synchronous event bus local to one process. */
export class ChatEvents extends EventEmitter<ChatEventMap> {
  constructor() {
    super();
    // Many subscribers (gateway, monitor, user caches) are expected; this is not a leak.
    this.setMaxListeners(50);
  }

  /** Calls `listener` on every send, edit and delete (what inboxes show); returns the unsubscribe. */
  onInboxChange(listener: (change: InboxChange) => void): () => void {
    const onSend = ({ chat_code, channel, members_version }: ChatEventMap['messages:new'][0]) =>
      listener({ chat_code, channel, members_version });
    const onChange = ({ chat_code, message }: { chat_code: string; message: MessageView }) =>
      listener({ chat_code, channel: message.channel, members_version: null });
    this.on('messages:new', onSend);
    this.on('message:updated', onChange);
    this.on('message:deleted', onChange);
    return () => {
      this.off('messages:new', onSend);
      this.off('message:updated', onChange);
      this.off('message:deleted', onChange);
    };
  }
}
