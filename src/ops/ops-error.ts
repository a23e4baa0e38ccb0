import { safeErrorText } from '../db-error';

/** Exit codes shared by every job (docs/contract.md "Command-line jobs"). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** inspect --compare: the cache differs from the database */
  outOfSync: 3,
} as const;

/**
 * A failure an operator can act on: the message is the one line the job prints, naming the cause
 * (which server, which setting). The original error is kept as `cause`.
 */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OpsError';
  }

  static usage(message: string) {
    return new OpsError(message, EXIT.usage);
  }

  static redisUnreachable(target: string, cause: unknown) {
    return new OpsError(
      `cannot reach Redis at ${target}: ${causeText(cause, 'no answer')} (check REDIS_URL / REDIS_CLUSTER_NODES)`,
      EXIT.failure,
      { cause },
    );
  }

  static databaseUnreachable(target: string, cause: unknown) {
    return new OpsError(`cannot reach the database at ${target}: ${causeText(cause, 'no answer')} (check DATABASE_URL)`, EXIT.failure, {
      cause,
    });
  }

  static badConfig(message: string, cause: unknown) {
    return new OpsError(`bad configuration: ${message}`, EXIT.failure, { cause });
  }

  static needsForce(what: string) {
    return new OpsError(`refusing to ${what} without --force: there is no terminal to confirm on`, EXIT.failure);
  }

  static declined(what: string) {
    return new OpsError(`not confirmed; did not ${what}`, EXIT.failure);
  }
}

/** The one-line text of any thrown value. */
export function causeText(err: unknown, fallback = 'unknown error'): string {
  if (err instanceof AggregateError && err.errors.length) return causeText(err.errors[0], fallback);
  const text = err === undefined || err === null ? '' : safeErrorText(err);
  return text.split('\n')[0].trim() || fallback;
}

/** `redis://:secret@host:6379/0` → `redis://host:6379/0`; the same for database URLs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
