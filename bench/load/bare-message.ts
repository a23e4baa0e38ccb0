// A message in the contract's JSON shape, built in memory for the ceilings: the bare servers answer
// with the same bytes a ChatPop client would receive, minus everything ChatPop does to produce them.
import { randomUUID } from 'node:crypto';

export function bareMessage(code: string, seq: number, content: string): Record<string, unknown> {
  return {
    id: randomUUID(),
    chat_code: code,
    channel: 'main',
    seq,
    version: seq,
    username: 'bench',
    username_is_reserved: false,
    user_id: null,
    content,
    message_type: 'normal',
    reply_to: null,
    is_pinned: false,
    pinned_until: null,
    pin_amount_cents: null,
    reactions: {},
    created_at: new Date().toISOString(),
    edited_at: null,
    deleted: false,
  };
}

/** Content of a bench message of about `length` characters; the history and send loads use the same size. */
export function benchContent(prefix: string, length = 120): string {
  return prefix.length >= length ? prefix : prefix + ' ' + 'x'.repeat(length - prefix.length - 1);
}
