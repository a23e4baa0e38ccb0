import type { SessionClaims } from '../auth/tokens';
import { Message, Participant } from '../domain';
import { AppError } from '../errors';
import { ATTR, traced } from '../monitoring/tracer';
import type { CacheWriter } from './cache-writer';
import { lockChat } from './chat-lock';
import type { ChatEvents } from './events';
import type { SendInput } from './inputs';
import type { MessageStore } from './message-store';
import { toCached, toMessageView, type MessageView } from './message-view';
import type { RateLimiter } from './rate-limiter';

/** Rolls the transaction back when the client_id was already used; carries the stored message. */
class DuplicateSend extends Error {
  constructor(readonly existing: Message) {
    super('duplicate client_id');
  }
}

export interface SendResult {
  message: MessageView;
  /** true when client_id matched an earlier send: nothing new was stored or broadcast */
  duplicate: boolean;
}

/**
 * The send path (DESIGN.md "Send"): one transaction allocates the seq and inserts; after the commit
 * the cache window is appended and `message:new` announced. The returned message is committed.
 */
export class SendService {
  constructor(
    private readonly store: MessageStore,
    private readonly writer: CacheWriter,
    private readonly events: ChatEvents,
    private readonly limiter: RateLimiter,
  ) {}

  async send(session: SessionClaims, code: string, input: SendInput): Promise<SendResult> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const wait = this.limiter.take(session.sub);
    if (wait > 0) throw AppError.rateLimited(wait);
    const chat = await this.store.chatRef(code);
    if (input.channel === 'backroom') await this.assertBackroomMember(session);
    if (input.reply_to) await this.assertReplyTarget(chat.id, input.reply_to);

    let stored: Message;
    try {
      stored = await traced('db.write', { [ATTR.chatCode]: code, [ATTR.op]: 'send', [ATTR.dbCount]: 1 }, () =>
        this.store.em().transactional(async (tx) => {
          const { seq, version } = await lockChat(tx, chat.id, { newSeq: input.channel });
          if (input.client_id) {
            const existing = await tx.findOne(Message, { chatId: chat.id, clientId: input.client_id });
            if (existing) throw new DuplicateSend(existing);
          }
          const message = Object.assign(new Message(), {
            chatId: chat.id,
            channel: input.channel,
            seq,
            version,
            participantId: session.sub,
            username: session.username,
            usernameIsReserved: session.user_id !== null,
            userId: session.user_id,
            content: input.content,
            messageType: session.host ? 'host' : 'normal',
            replyTo: input.reply_to ?? null,
            clientId: input.client_id ?? null,
          });
          tx.persist(message);
          return message;
        }),
      );
    } catch (err) {
      if (err instanceof DuplicateSend) return { message: toMessageView(err.existing, code), duplicate: true };
      throw err;
    }

    const view = toMessageView(stored, code);
    await this.writer.append(code, view.channel, [toCached(view)]);
    this.events.emit('message:new', { chat_code: code, message: view });
    return { message: view, duplicate: false };
  }

  private async assertBackroomMember(session: SessionClaims) {
    const p = await this.store.em().findOne(Participant, { id: session.sub }, { fields: ['isHost', 'backroomMember'] });
    if (!p || !(p.isHost || p.backroomMember)) throw AppError.forbidden('only the host and back-room members may use the back room');
  }

  private async assertReplyTarget(chatId: string, replyTo: string) {
    const target = await this.store.em().findOne(Message, { id: replyTo, chatId }, { fields: ['id'] });
    if (!target) throw AppError.invalidInput('reply_to: no such message in this chat');
  }
}
