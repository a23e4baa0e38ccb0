import { z } from 'zod';
import { charCount, displayUsername, MAX_USERNAME_CHARS, usernameKey } from '../domain';
import { AppError } from '../errors';

/** Input schemas shared by the REST routes and the socket.io gateway: validation happens at the edge. */

export const MAX_CONTENT_CHARS = 4000;

/** U+0000, or a UTF-16 surrogate without its pair: JSON can carry both, UTF-8 text cannot. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_MESSAGE = 'holds a character that cannot be stored (U+0000 or an unpaired surrogate)';

/** Characters (code points) in `s`; a surrogate pair is one. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Content is trimmed; 1..4000 characters (code points); longer content is refused, never truncated.
 * Text PostgreSQL cannot store is refused here: at the database it would fail the whole group
 * commit, other chats' sends included.
 *
 * Checks only (`trim`, `refine`), no `transform` or `superRefine`: those give every parse a new
 * `addIssue` closure on the payload, which measurably kept young objects alive through scavenges
 * (docs/benchmark.md, fourth pass); and characters are counted only past 4000 UTF-16 units.
 */
export const content = z
  .string()
  .trim()
  .refine((v) => !UNSTORABLE.test(v), `content ${UNSTORABLE_MESSAGE}`)
  .refine((v) => v.length > 0, 'content must not be empty')
  .refine((v) => v.length <= MAX_CONTENT_CHARS || codePoints(v) <= MAX_CONTENT_CHARS, {
    error: (issue) => `content is ${codePoints(String(issue.input))} characters; the limit is ${MAX_CONTENT_CHARS}`,
    params: { appCode: 'payload_too_large' },
  });

export const chatCode = z.string().regex(/^[A-Z0-9]{8}$/, 'chat code is 8 characters A–Z 0–9');
export const channel = z.enum(['main', 'backroom']);
export const uuid = z.string().uuid('must be a UUID');
export const clientId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'client_id may hold letters, digits and _ . : -');
/**
 * Participant names: letters, digits, _ . - ; 1..32 characters, checked as NFKC makes them (fullwidth
 * `ａｌｉｃｅ` is `alice`) and counted again once case-folded, the form stored (`İ` folds to two).
 */
export const participantName = z
  .string()
  .trim()
  .transform(displayUsername)
  .pipe(
    z
      .string()
      // `~N` ends only the names renames give (chat-service), so their holders can rejoin under them.
      .regex(/^(?=.{1,32}$)[\p{L}\p{N}_.-]+(~\d{1,4})?$/u, 'username is 1–32 letters, digits, _ . or -')
      .refine(
        (v) => charCount(usernameKey(v)) <= MAX_USERNAME_CHARS,
        `username is more than ${MAX_USERNAME_CHARS} characters once its letter case is folded`,
      ),
  );
/** Account names are stricter (ASCII once NFKC has made fullwidth letters plain): they become reserved in every chat. */
export const accountName = z
  .string()
  .trim()
  .transform(displayUsername)
  .pipe(z.string().regex(/^[A-Za-z0-9_]{3,32}$/, 'username is 3–32 letters, digits or _'));
export const password = z.string().min(8, 'password needs at least 8 characters').max(128, 'password is at most 128 characters');
/**
 * One emoji as Unicode lists them (RGI: ZWJ sequences, skin tones, flags, keycaps), or one pictograph
 * in text style (❤ without U+FE0F). Not a run of them, a lone joiner or modifier, or a digit.
 * (The `v` flag, which \p{RGI_Emoji} needs, through RegExp: TypeScript's target predates it.)
 */
const ONE_EMOJI = new RegExp('^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}\\uFE0F?)$', 'v');
export const emoji = z.string().min(1).max(32).regex(ONE_EMOJI, 'emoji must be a single emoji');

export const sendInput = z.object({
  content,
  client_id: clientId.optional(),
  reply_to: uuid.nullish(),
  channel: channel.default('main'),
});
export type SendInput = z.infer<typeof sendInput>;

export const editInput = z.object({ content });
export const pinInput = z.object({
  amount_cents: z.number().int().min(0).max(100_000_000),
  duration_minutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});
export const reactionInput = z.object({ emoji });
export const readInput = z.object({ seq: z.number().int().min(0) });
export const createChatInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name must not be empty')
    .max(100, 'name is at most 100 characters')
    .refine((v) => !UNSTORABLE.test(v), `name ${UNSTORABLE_MESSAGE}`),
});
export const joinInput = z.object({ username: participantName });
export const credentialsInput = z.object({ username: accountName, password });
/** POST /api/conversations: the other user's account name. */
export const conversationInput = z.object({ with: accountName });
/** PATCH /api/me: a new letter case of the caller's own username. */
export const profileUpdateInput = z.object({ display_name: accountName });

/** A query-string number: decimal digits only, so 0x10, 1e2, " 5" or an empty value are refused, not read. */
const queryInt = (what: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${what} must be a whole number`)
    .transform(Number);
export const historyQuery = z
  .object({
    limit: queryInt('limit').pipe(z.number().min(1, 'limit is 1..200').max(200, 'limit is 1..200')).default(50),
    before: queryInt('before').pipe(z.number().min(1, 'before is a seq from 1')).optional(),
    after: queryInt('after').optional(),
    channel: channel.default('main'),
  })
  .refine((q) => q.before === undefined || q.after === undefined, 'use either before or after, not both');

/** Parses input or throws the contract's error (invalid_input, or payload_too_large for long content). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  // zod does not echo the input by default; its message says what it received.
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const text = issue.code === 'invalid_type' && !missing ? issue.message.replace(/^Invalid input: /, '') : issue.message;
  const message = missing ? `${where}is required` : `${where}${text}`;
  if ((issue as { params?: { appCode?: string } }).params?.appCode === 'payload_too_large') {
    throw AppError.payloadTooLarge(message);
  }
  throw AppError.invalidInput(message);
}
