import type { SessionClaims } from '../auth';
import type { Tx } from '../db';
import type { Message } from '../domain';
import { AppError } from '../errors';
import { ATTR, traced } from '../telemetry';
import type { CacheWriter } from './cache-writer';
import type { ChatEvents, ChatEventMap } from './events';
import type { ChatRef, MessageStore } from './message-store';
import { toCached, toMessageView, type MessageView } from './message-view';

/** What a change returns when it has nothing to do (see changeMessage). */
export const UNCHANGED = Symbol('unchanged');

/**
 * Runs one change of an existing message: locks the chat (bumping its change counter), applies
 * `change` to the message, commits, then updates the cached copies: its window entry and, while it
 * is pinned, its entry in the pinned set, which it leaves once unpinned or deleted. Edits, deletes,
 * pins and reactions all go through here so each bumps `version` the same way. A change that finds
 * nothing to do returns UNCHANGED: the transaction rolls back (the chat's counter stays), nothing is
 * cached or announced, and `changed` is false.
 */
export async function changeMessage(
  store: MessageStore,
  writer: CacheWriter,
  code: string,
  messageId: string,
  op: string,
  change: (message: Message, version: number, tx: Tx) => Promise<void | typeof UNCHANGED> | void | typeof UNCHANGED,
): Promise<{ view: MessageView; chat: ChatRef; pinsCached: boolean | null; changed: boolean }> {
  const chat = await store.chatRef(code);
  let pinnedBefore = false;
  let unchanged: Message | null = null;
  const message = await traced('db.write', { [ATTR.chatCode]: code, [ATTR.op]: op, [ATTR.dbCount]: 1 }, () =>
    store
      .transaction(async (tx) => {
        const { version } = await store.repos.chats.lock(tx, chat.id);
        const m = await store.byId(chat, messageId, tx);
        pinnedBefore = m.pinnedUntil !== null;
        if ((await change(m, version, tx)) === UNCHANGED) {
          unchanged = m;
          throw UNCHANGED; // rolls the counter's bump back
        }
        m.version = version;
        return m;
      })
      .catch((err: unknown) => {
        if (err === UNCHANGED && unchanged) return null;
        throw err;
      }),
  );
  if (!message) return { view: toMessageView(unchanged!, code), chat, pinsCached: null, changed: false };
  const view = toMessageView(message, code);
  await writer.update(code, view.channel, toCached(view));
  let pinsCached: boolean | null = null;
  if (pinnedBefore || view.is_pinned) {
    // An expired or cleared pin (until 0) only leaves the set: the pinned list never shows a stale copy.
    const pinnedUntilMs = view.is_pinned ? Date.parse(view.pinned_until!) : 0;
    pinsCached = await writer.pin(code, { messageId: view.id, pinnedUntilMs, json: JSON.stringify(view) });
  }
  return { view, chat, pinsCached, changed: true };
}

/** Edits and deletes, by the author or the chat's host. */
export class MessageChangeService {
  constructor(
    private readonly store: MessageStore,
    private readonly writer: CacheWriter,
    private readonly events: ChatEvents,
  ) {}

  async edit(session: SessionClaims, code: string, id: string, content: string): Promise<MessageView> {
    return this.apply(session, code, id, 'edit', 'message:updated', (m) => {
      m.content = content;
      m.editedAt = new Date();
    });
  }

  async delete(session: SessionClaims, code: string, id: string): Promise<MessageView> {
    // A tombstone keeps seq contiguous; the content itself is gone from the database too.
    return this.apply(session, code, id, 'delete', 'message:deleted', (m) => {
      m.deleted = true;
      m.content = '';
      m.editedAt = new Date();
      m.pinnedUntil = null; // a tombstone is pinned no more (what was paid stays in pin_amount_cents)
    });
  }

  private async apply(
    session: SessionClaims,
    code: string,
    id: string,
    op: string,
    event: 'message:updated' | 'message:deleted',
    change: (m: Message) => void,
  ): Promise<MessageView> {
    if (session.code !== code) throw AppError.forbidden('this session token belongs to another chat');
    const { view } = await changeMessage(this.store, this.writer, code, id, op, (m) => {
      if (m.participantId !== session.sub && !session.host) throw AppError.forbidden('only the author or the host may change this message');
      if (m.deleted) throw AppError.conflict('the message is deleted');
      if (m.messageType === 'system') throw AppError.forbidden('system messages cannot be changed');
      change(m);
    });
    this.events.emit(event, { chat_code: code, message: view } as ChatEventMap[typeof event][0]);
    return view;
  }
}
