import { z } from 'zod';
import { inputs } from '../chat';

/** Socket payload schemas, built from the same pieces as the REST inputs (chat/inputs.ts). */

// Upper-cased by a check that rewrites the value, not by preprocess (a transform: see inputs.content).
const code = z.string().toUpperCase().pipe(inputs.chatCode);
const cursor = z.number().int().min(0);

export const joinPayload = z.object({
  code,
  session_token: z.string().min(1).max(4096).optional(),
  since_seq: cursor.optional(),
  since_version: cursor.optional(),
});

export const sendPayload = inputs.sendInput.extend({ code });

export const reactPayload = inputs.reactionInput.extend({
  code,
  message_id: inputs.uuid,
  op: z.enum(['add', 'remove']),
});

export const leavePayload = z.object({ code });
