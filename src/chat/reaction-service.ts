import type { SessionClaims } from '../auth';
import { Reaction } from '../domain';
import { AppError } from '../errors';
import { assertBackroomMember } from './backroom-access';
import type { CacheWriter } from './cache-writer';
import type { ChatEvents } from './events';
import { changeMessage, UNCHANGED } from './message-change-service';
import type { MessageStore } from './message-store';

/** One reaction per participant and emoji; counts live on the message and in the reactions hash. */
export class ReactionService {
  constructor(
    private readonly store: MessageStore,
    private readonly writer: CacheWriter,
    private readonly events: ChatEvents,
  ) {}

  async react(
    session: SessionClaims,
    code: string,
    messageId: string,
    emoji: string,
    op: 'add' | 'remove',
  ): Promise<Record<string, number>> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const { view, changed } = await changeMessage(this.store, this.writer, code, messageId, `reaction.${op}`, async (m, _version, tx) => {
      if (m.channel === 'backroom') await assertBackroomMember(this.store, session, tx);
      if (m.deleted) throw AppError.conflict('the message is deleted');
      const messages = this.store.repos.messages;
      const existing = await messages.reaction(tx, m.chatId, m.id, session.sub, emoji);
      const counts = { ...(m.reactions ?? {}) };
      if (op === 'add' && !existing) {
        messages.addReaction(tx, Object.assign(new Reaction(), { chatId: m.chatId, messageId: m.id, participantId: session.sub, emoji }));
        counts[emoji] = (counts[emoji] ?? 0) + 1;
      } else if (op === 'remove' && existing) {
        messages.removeReaction(tx, existing);
        counts[emoji] = Math.max(0, (counts[emoji] ?? 1) - 1);
        if (counts[emoji] === 0) delete counts[emoji];
      } else {
        return UNCHANGED; // already there, or never was: no new version, no announcement
      }
      m.reactions = counts;
    });
    if (!changed) return view.reactions;
    await this.writer.reactions(code, view.id, view.reactions);
    this.events.emit('reaction:updated', { chat_code: code, message_id: view.id, reactions: view.reactions, message: view });
    return view.reactions;
  }
}
