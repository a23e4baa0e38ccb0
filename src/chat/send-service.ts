import type { SessionClaims } from '../auth';
import type { Channel, Message } from '../domain';
import { AppError } from '../errors';
import { assertBackroomMember } from './backroom-access';
import type { CacheWriter } from './cache-writer';
import { SendBatcher } from './send-batcher';
import type { SendCommit } from './send-commit';
import type { ChatEvents } from './events';
import type { SendInput } from './inputs';
import type { MessageStore } from './message-store';
import { lendJson, toCached, toMessageView, type MessageView } from './message-view';
import type { ParticipantNames } from './participant-names';
import type { RateLimiter } from './rate-limiter';

export interface SendResult {
  message: MessageView;
  /** true when client_id matched an earlier send: nothing new was stored or broadcast */
  duplicate: boolean;
}

/**
 * The send path (docs/design.md "Send"): validation and limits here, then the batcher's transaction
 * allocates the seq and inserts; after the commit the cache window is appended and `message:new`
 * announced. The returned message is committed.
 */
export class SendService {
  private readonly batcher: SendBatcher<MessageView>;

  constructor(
    private readonly store: MessageStore,
    committer: SendCommit,
    private readonly writer: CacheWriter,
    private readonly events: ChatEvents,
    private readonly limiter: RateLimiter,
    private readonly names: ParticipantNames,
  ) {
    this.batcher = new SendBatcher(committer, (code, channel, fresh, membersVersion) =>
      this.published(code, channel, fresh, membersVersion),
    );
  }

  async send(claims: SessionClaims, code: string, input: SendInput): Promise<SendResult> {
    if (claims.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const wait = this.limiter.take(claims.sub);
    if (wait > 0) throw AppError.rateLimited(wait);
    // A token issued before its participant was renamed still names the old name.
    const username = await this.names.current(claims);
    const session = username === claims.username ? claims : { ...claims, username };
    const chat = await this.store.chatRef(code);
    if (input.channel === 'backroom') await assertBackroomMember(this.store, session);
    if (input.reply_to) await this.assertReplyTarget(chat.id, input.reply_to, input.channel);

    const { message, duplicate, published } = await this.batcher.submit(chat, session, input);
    return { message: published ?? toMessageView(message, code), duplicate };
  }

  /** After a batch commits: one cache append for all of it, then one `messages:new` (in seq order). */
  private async published(code: string, channel: Channel, fresh: Message[], membersVersion: number | null): Promise<MessageView[]> {
    const views = fresh.map((m) => toMessageView(m, code));
    const cached = views.map(toCached);
    await this.writer.append(code, channel, cached);
    lendJson(views, cached);
    this.events.emit('messages:new', { chat_code: code, channel, messages: views, members_version: membersVersion });
    return views;
  }

  /** A reply names a message of this chat; a main-channel one never points into the back room. */
  private async assertReplyTarget(chatId: string, replyTo: string, channel: Channel) {
    const target = await this.store.repos.messages.channelOf(chatId, replyTo);
    if (!target || (target === 'backroom' && channel !== 'backroom')) throw AppError.invalidInput('reply_to: no such message in this chat');
  }
}
