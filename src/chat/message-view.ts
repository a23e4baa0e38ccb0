import type { MessageFields } from '../domain';
import type { CachedMessage } from '../cache';
import type { MessageView } from './message-wire';

export type { MessageView } from './message-wire';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export type { MessageFields } from '../domain';

/** `is_pinned` is true while `pinned_until` lies ahead at the message's last change. */
export function toMessageView(m: MessageFields, chatCode: string, now = Date.now()): MessageView {
  return {
    id: m.id,
    chat_code: chatCode,
    channel: m.channel,
    seq: m.seq,
    version: m.version,
    username: m.username,
    username_is_reserved: m.usernameIsReserved,
    user_id: m.userId,
    content: m.deleted ? '' : m.content,
    message_type: m.messageType,
    reply_to: m.replyTo,
    is_pinned: m.pinnedUntil !== null && new Date(m.pinnedUntil).getTime() > now,
    pinned_until: iso(m.pinnedUntil),
    pin_amount_cents: m.pinAmountCents,
    reactions: { ...(m.reactions ?? {}) },
    created_at: iso(m.createdAt)!,
    edited_at: iso(m.editedAt),
    deleted: m.deleted,
  };
}

/** The cache form: the JSON is made once here and served verbatim afterwards. */
export function toCached(view: MessageView): CachedMessage {
  return { seq: view.seq, version: view.version, json: JSON.stringify(view) };
}

/** JSON texts lent to the socket.io encoder, by view object. */
const lent = new WeakMap<object, string>();

/**
 * Lends the JSON text each view got for the cache to the socket.io encoder until this event-loop
 * turn ends: a fresh message's `message:new` and its send's ack are encoded within the turn, so the
 * view is not serialized twice more. Views kept longer (a room's recent messages, for joiners) do
 * not keep a second copy of themselves. Views are never changed once made.
 */
export function lendJson(views: MessageView[], cached: CachedMessage[]): void {
  views.forEach((view, i) => lent.set(view, cached[i]!.json));
  setImmediate(() => {
    for (const view of views) lent.delete(view);
  });
}

/** What `JSON.stringify(value)` gives, while lendJson lends it. */
export function preparedJson(value: object): string | undefined {
  return lent.get(value);
}
