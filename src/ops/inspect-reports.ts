// What the inspector reports, as plain data: read by the text renderers and by --compare/--repair.
import type { Channel } from '../domain';
import type { EngineInfo } from './ops-context';

/** The fields of a cached message the inspector reads (the cache holds the contract's message JSON). */
export interface CachedView {
  id: string;
  seq: number;
  version?: number;
  channel?: Channel;
  username: string;
  username_is_reserved: boolean;
  message_type: string;
  content: string;
  created_at: string;
  deleted: boolean;
  is_pinned?: boolean;
  pinned_until: string | null;
  pin_amount_cents: number | null;
  reactions?: Record<string, number>;
}

export function parseEntry(json: string): CachedView | null {
  try {
    const v = JSON.parse(json) as CachedView;
    return v && typeof v === 'object' && typeof v.id === 'string' ? v : null;
  } catch {
    return null;
  }
}

export interface ListedKey {
  key: string;
  kind: string;
  chat: string | null;
  type: string;
  count: number;
  ttl_seconds: number;
}

export interface ListReport extends EngineInfo {
  keys: ListedKey[];
  totals: { keys: number; chats: number };
}

export interface StatsReport extends EngineInfo {
  chats_cached: number;
  messages_cached: number;
  main_windows: number;
  backroom_caches: number;
  backroom_messages: number;
  pinned_caches: number;
  pinned_messages: number;
  reaction_caches: number;
  user_keys: number;
  /** the fullest window and the configured ceiling (MESSAGE_CACHE_MAX_COUNT) */
  max_per_cache: { count: number; key: string | null; limit: number };
  ttl: { min_seconds: number | null; max_seconds: number | null; configured_seconds: number };
  repair_waiting: number;
}

export interface MessageEnd {
  seq: number;
  id: string;
  created_at: string;
}

export interface WindowReport {
  key: string;
  exists: boolean;
  count: number;
  ttl_seconds: number;
  /** the chat's last seq as the window's meta records it */
  meta_last_seq: number | null;
  oldest: MessageEnd | null;
  newest: MessageEnd | null;
}

export interface PinReport {
  id: string;
  seq: number;
  username: string;
  pinned_until: string | null;
  amount_cents: number | null;
}

export interface MessageLine {
  seq: number;
  id: string;
  created_at: string;
  username: string;
  verified: boolean;
  host: boolean;
  message_type: string;
  content: string;
  deleted: boolean;
  is_pinned: boolean;
  pinned_until: string | null;
  pin_amount_cents: number | null;
}

export interface ReactionLine {
  key: string;
  message_id: string;
  seq: number | null;
  ttl_seconds: number;
  counts: Record<string, number>;
}

export interface ChatReport extends EngineInfo {
  code: string;
  /** the database's record of the chat; null when the database does not know it */
  chat: {
    name: string;
    kind: string;
    last_seq_main: number;
    last_seq_backroom: number;
    version: number;
    created_at: string;
    last_message_at: string;
  } | null;
  windows: { main: WindowReport; backroom: WindowReport };
  pinned: { key: string; exists: boolean; count: number; ttl_seconds: number; pins: PinReport[] };
  reactions: { caches: number; ttl_min_seconds: number | null; ttl_max_seconds: number | null };
  /** with --show-messages: the newest N of the main window, newest first */
  messages?: MessageLine[];
  /** with --show-reactions: the reaction caches of the newest N messages, newest first */
  reaction_details?: ReactionLine[];
}

export interface MessageLookup extends EngineInfo {
  id: string;
  database: {
    found: boolean;
    chat_code?: string;
    channel?: Channel;
    seq?: number;
    version?: number;
    message_type?: string;
    username?: string;
    content?: string;
    deleted?: boolean;
    created_at?: string;
  };
  cache: { key: string; kind: string; score: number; entry: string }[];
}

export interface ClearPlan extends EngineInfo {
  code: string;
  keys: ListedKey[];
}

export function toMessageLine(v: CachedView, seq = v.seq): MessageLine {
  return {
    seq,
    id: v.id,
    created_at: v.created_at,
    username: v.username,
    verified: Boolean(v.username_is_reserved),
    host: v.message_type === 'host',
    message_type: v.message_type,
    content: v.content,
    deleted: Boolean(v.deleted),
    is_pinned: v.pinned_until !== null && Date.parse(v.pinned_until) > Date.now(),
    pinned_until: v.pinned_until,
    pin_amount_cents: v.pin_amount_cents,
  };
}
