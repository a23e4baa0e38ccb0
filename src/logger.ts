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

/**
 * Human-readable lines for a person at a terminal outside production; JSON for everything else
 * (log collectors, pipes, files, production pods even under `kubectl exec -it`).
 */
export function prettyLogsWanted(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): boolean {
  return isTTY && (env.NODE_ENV ?? 'development') !== 'production';
}

/**
 * Logs on stdout (or `destination`): JSON lines, or with `pretty` (by default when prettyLogsWanted()
 * and no destination is given) pino's own pino-pretty transport. Either way the lines are redacted
 * and serialized here first: authorization headers, tokens and passwords wherever they appear, and
 * database errors as their summary.
 */
export function createLogger(
  level: string,
  name = 'chatpop',
  destination?: pino.DestinationStream,
  pretty = destination === undefined && level !== 'silent' && prettyLogsWanted(),
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: {
      paths: [
        '*.authorization',
        '*.password',
        '*.token',
        '*.session_token',
        'req.headers.authorization',
        '*.adminToken',
        '*.sessionSecret',
      ],
      censor: '[redacted]',
    },
    serializers: { err: errSerializer },
  };
  if (pretty) {
    // A worker thread formats the lines; only a terminal at development time gets them.
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return pino(options, destination);
}
