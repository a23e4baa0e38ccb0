import { z } from 'zod';
import { ackErrorSchema, lastMessagePreviewSchema, messageViewSchema } from '../chat';

/**
 * The REST response bodies as zod schemas: what /api/openapi.json describes. The services' own
 * output types are checked against them at compile time (src/api-docs/shape-checks.ts), and the
 * route code that builds a body checks it with `satisfies Body<…>`. The objects are
 * strict, so a field the server adds without a schema fails the suite's response check too.
 */

const time = z.iso.datetime();
const count = z.int().min(0);

/** `{ error: { code, message } }` of every 4xx/5xx (docs/contract.md "Errors"). */
export const errorBody = z.strictObject({ error: ackErrorSchema });

export const userView = z.strictObject({ id: z.uuid(), username: z.string(), created_at: time });
export const authResult = z.strictObject({ user: userView, token: z.string() });

export const chatView = z.strictObject({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['group', 'direct']),
  last_seq: count,
  version: count,
  online: count,
  created_at: time,
  last_message_at: time,
});

export const participantView = z.strictObject({
  id: z.uuid(),
  chat_code: z.string(),
  username: z.string(),
  username_is_reserved: z.boolean(),
  user_id: z.uuid().nullable(),
  is_host: z.boolean(),
  backroom_member: z.boolean(),
});
export const joinResult = z.strictObject({ session_token: z.string(), participant: participantView });

export const historyPage = z.strictObject({
  messages: z.array(messageViewSchema),
  has_more: z.boolean(),
  next_before: z.int().nullable(),
  /** on `after=` pages */
  next_after: z.int().optional(),
  last_seq: count,
  source: z.enum(['cache', 'db', 'hybrid']),
});
export type HistoryPageBody = z.infer<typeof historyPage>;

export const pinnedPage = z.strictObject({ pinned: z.array(messageViewSchema), source: z.enum(['cache', 'db']) });
export type PinnedPageBody = z.infer<typeof pinnedPage>;

export const reactionCounts = z.record(z.string(), z.int().min(0));
export const reactionsBody = z.strictObject({ reactions: reactionCounts });
export const onlineBody = z.strictObject({ code: z.string(), online: z.array(z.string()) });

export const partnerView = z.strictObject({ id: z.uuid(), username: z.string() });
export const openedConversation = z.strictObject({
  code: z.string(),
  name: z.string(),
  kind: z.literal('direct'),
  partner: partnerView,
  /** false when the pair already had its conversation */
  created: z.boolean(),
});
export const conversationView = z.strictObject({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['group', 'direct']),
  partner: partnerView.nullable(),
  last_seq: count,
  last_read_seq: count,
  unread: count,
  last_message: lastMessagePreviewSchema.nullable(),
  last_message_at: time,
});
export const conversationList = z.strictObject({ conversations: z.array(conversationView) });
export const unreadCount = z.strictObject({ unread: count });
export const readMarker = z.strictObject({ chat_code: z.string(), last_read_seq: count, last_seq: count, unread: count });

export const health = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  db: z.enum(['ok', 'down']),
  cache: z.enum(['ok', 'down']),
  cache_engine: z.enum(['redis', 'memory']),
});
export const ready = z.strictObject({ status: z.literal('ready') });
/** /ready while the database's schema is behind the code */
export const notReady = z.strictObject({ status: z.literal('not_ready'), reason: z.string(), error: ackErrorSchema });
export const repairStats = z.strictObject({ waiting: count, active: count, failed: count, repaired: count });
export const cacheStats = z.strictObject({ engine: z.enum(['redis', 'memory']), reachable: z.boolean(), repair_queue: repairStats });
export const sharedSettings = z.strictObject({ enable_monitoring: z.boolean() });

const monitorMode = z.enum(['detailed', 'sampled', 'aggregated']);
/** The dashboard's data: its parts are described loosely (staff only, shaped for the dashboard). */
const monitorMetrics = z.looseObject({ ops_per_second: z.number(), total_ops: count, since: time });
const monitorEvent = z.looseObject({
  ts: time,
  op: z.string(),
  chat_code: z.string().nullable(),
  duration_ms: z.number(),
  pod: z.string(),
});
export const monitoringView = z.strictObject({
  pod: z.string(),
  mode: monitorMode,
  enabled: z.boolean(),
  metrics: monitorMetrics,
  events: z.array(monitorEvent),
  pods: z.array(
    z.looseObject({
      pod: z.string(),
      mode: monitorMode,
      enabled: z.boolean(),
      taken_at: time,
      metrics: monitorMetrics,
      events: z.array(monitorEvent),
    }),
  ),
});

/** Every response body schema, by its component name in /api/openapi.json. */
export const restResponseSchemas = {
  Error: errorBody,
  User: userView,
  AuthResult: authResult,
  Chat: chatView,
  Participant: participantView,
  Session: joinResult,
  HistoryPage: historyPage,
  PinnedPage: pinnedPage,
  Reactions: reactionsBody,
  Online: onlineBody,
  Partner: partnerView,
  OpenedConversation: openedConversation,
  Conversation: conversationView,
  ConversationList: conversationList,
  UnreadCount: unreadCount,
  ReadMarker: readMarker,
  Health: health,
  Ready: ready,
  NotReady: notReady,
  RepairStats: repairStats,
  CacheStats: cacheStats,
  Settings: sharedSettings,
  MonitoringView: monitoringView,
};

/** The body a response schema describes: route code that builds a body checks it with `satisfies`. */
export type Body<K extends keyof typeof restResponseSchemas> = z.output<(typeof restResponseSchemas)[K]>;
