// A message and an error on the wire, as zod schemas with the types derived from them. Nothing of the server is
// imported: the client types of src/realtime/events.ts build on it, and an SDK imports those.
import { z } from 'zod';

const time = z.iso.datetime();

/** A message as clients see it (docs/contract.md "Messages"). */
export const messageViewSchema = z.strictObject({
  id: z.uuid(),
  chat_code: z.string(),
  channel: z.enum(['main', 'backroom']),
  seq: z.int().min(1),
  version: z.int().min(0),
  username: z.string(),
  username_is_reserved: z.boolean(),
  user_id: z.uuid().nullable(),
  content: z.string(),
  message_type: z.enum(['normal', 'host', 'system']),
  reply_to: z.uuid().nullable(),
  is_pinned: z.boolean(),
  pinned_until: time.nullable(),
  pin_amount_cents: z.int().nullable(),
  reactions: z.record(z.string(), z.int()),
  created_at: time,
  edited_at: time.nullable(),
  deleted: z.boolean(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

/** The newest main-channel message of a chat, shortened. */
export const lastMessagePreviewSchema = z.strictObject({
  id: z.uuid(),
  seq: z.int().min(1),
  username: z.string(),
  /** the start of the content; null when the message was deleted */
  preview: z.string().nullable(),
  deleted: z.boolean(),
  created_at: time,
});
export type LastMessagePreview = z.infer<typeof lastMessagePreviewSchema>;

/** The payload of `participant:renamed`: an anonymous participant's name went to its registered owner. */
export const participantRenamedSchema = z.strictObject({
  chat_code: z.string(),
  participant_id: z.uuid(),
  old_username: z.string(),
  /** the name it posts under now (`name~N`) */
  username: z.string(),
});
export type ParticipantRenamed = z.infer<typeof participantRenamedSchema>;

/** The contract's error codes (src/errors.ts ERROR_STATUS; src/api-docs/shape-checks.ts checks the two agree). */
export const errorCodeSchema = z.enum([
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'limit_exceeded',
  'rate_limited',
  'internal',
  'not_implemented',
  'unavailable',
  'admin_disabled',
]);

/** The contract's error object; `retry_after` (seconds) accompanies `rate_limited`. */
export const ackErrorSchema = z.strictObject({
  code: errorCodeSchema,
  message: z.string(),
  retry_after: z.int().min(0).optional(),
});
/**
 * As clients hold it, `code` stays open: a newer server may add a code, and clients make their own
 * (an SDK's ack timeout). The documents and the suite's checks hold the server to the list above.
 */
export type AckError = Omit<z.infer<typeof ackErrorSchema>, 'code'> & { code: string };
