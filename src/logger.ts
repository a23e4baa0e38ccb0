import pino from 'pino';
import { dbErrorSummary, safeErrorText, stackFrames } from './db-error';

export type Logger = pino.Logger;

/**
 * pino's error serializer, except that an error holding a database error keeps only what failed
 * (class, code, constraint, table) and its stack frames: its text holds the SQL and bound values.
 * A Redis reply error keeps its command's name, not its arguments (cached messages, user state).
 */
function errSerializer(err: unknown): unknown {
  const db = dbErrorSummary(err);
  if (!db) {
    const out = pino.stdSerializers.err(err as Error) as { command?: { name?: unknown } };
    if (out?.command && typeof out.command === 'object') out.command = { name: out.command.name };
    return out;
  }
  return { ...db, type: (err as Error).constructor?.name ?? db.type, message: safeErrorText(err), stack: stackFrames(err) };
}

/** JSON logs on stdout (or `destination`). Authorization headers, tokens and passwords are redacted wherever they appear. */
export function createLogger(level: string, name = 'chatpop', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['*.authorization', '*.password', '*.token', '*.session_token', 'req.headers.authorization', '*.adminToken', '*.sessionSecret'],
        censor: '[redacted]',
      },
      serializers: { err: errSerializer },
    },
    destination,
  );
}
