import { z } from 'zod';
import { inputs } from '../chat';

/** Socket payload schemas, built from the same pieces as the REST inputs (chat/inputs.ts). */

// Upper-cased by a check that rewrites the value, not by preprocess (a transform: see inputs.content).
const code = z.string().toUpperCase().pipe(inputs.chatCode);
const cursor = z.number().int().min(0);
/** W3C trace context a client may add (events.ts EventTrace); a value that does not parse as one is ignored. */
const trace = { traceparent: z.string().max(128).optional(), tracestate: z.string().max(512).optional() };

export const joinPayload = z.object({
  code,
  session_token: z.string().min(1).max(4096).optional(),
  since_seq: cursor.optional(),
  since_version: cursor.optional(),
  ...trace,
});

export const sendPayload = inputs.sendInput.extend({ code, ...trace });

export const reactPayload = inputs.reactionInput.extend({
  code,
  message_id: inputs.uuid,
  op: z.enum(['add', 'remove']),
});

export const leavePayload = z.object({ code });
