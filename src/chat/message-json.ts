import type { Channel } from '../domain';
import type { MessageText, PageRows } from '../db';
import { toMessageView } from './message-view';

/** A page's messages as the cache holds them: seq and the message's JSON text. */
export interface PageEntry {
  seq: number;
  json: string;
}

/** A page's rows as JSON texts, ascending; `now` decides `is_pinned`. */
export function pageEntries(rows: PageRows, chatCode: string, channel: Channel, now = Date.now()): PageEntry[] {
  if ('fields' in rows) return rows.fields.map((m) => ({ seq: m.seq, json: JSON.stringify(toMessageView(m, chatCode, now)) }));
  const afterId = `","chat_code":${JSON.stringify(chatCode)},"channel":${JSON.stringify(channel)},"seq":`;
  return rows.text.map((r) => ({ seq: r.seq, json: messageJson(r, afterId, now) }));
}

/**
 * The text `JSON.stringify(toMessageView(…))` gives for the same stored message (test/chat/message-json.test.ts
 * holds them equal), written from PostgreSQL's text form without making Dates or a view object.
 */
function messageJson(r: MessageText, afterId: string, now: number): string {
  const pinnedUntil = r.pinned_until === null ? null : isoFromText(r.pinned_until);
  return (
    `{"id":"${r.id}${afterId}${r.seq},"version":${r.version},"username":${JSON.stringify(r.username)},` +
    `"username_is_reserved":${r.username_is_reserved},"user_id":${quoted(r.user_id)},` +
    `"content":${r.deleted ? '""' : JSON.stringify(r.content)},"message_type":${JSON.stringify(r.message_type)},` +
    `"reply_to":${quoted(r.reply_to)},"is_pinned":${pinnedUntil !== null && Date.parse(pinnedUntil) > now},` +
    `"pinned_until":${quoted(pinnedUntil)},"pin_amount_cents":${r.pin_amount_cents},` +
    // reactions: jsonb's text has a space after each colon and comma; JSON.stringify has none
    `"reactions":${r.reactions === '{}' ? '{}' : JSON.stringify(JSON.parse(r.reactions))},` +
    `"created_at":"${isoFromText(r.created_at)}","edited_at":${quoted(r.edited_at === null ? null : isoFromText(r.edited_at))},` +
    `"deleted":${r.deleted}}`
  );
}

/** A uuid or ISO time (nothing to escape) as a JSON string, or null. */
const quoted = (s: string | null) => (s === null ? 'null' : `"${s}"`);

/**
 * '2026-12-07 07:05:05.126789' (a UTC timestamp's text) → '2026-12-07T07:05:05.126Z', as
 * Date#toISOString gives it for the Date pg would parse: whole milliseconds, the rest cut off.
 */
export function isoFromText(t: string): string {
  const dot = t.indexOf('.', 19);
  const ms = dot < 0 ? '000' : `${t.slice(dot + 1, dot + 4)}00`.slice(0, 3);
  return `${t.slice(0, 10)}T${t.slice(11, 19)}.${ms}Z`;
}
