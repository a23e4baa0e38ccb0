import { ConnectionException } from '@mikro-orm/core';
import { AppError } from '../errors';

/** Socket errors of a database that is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** SQLSTATEs of a server that will not take the statement now (class 08: connection exception). */
const PG_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg and knex say, without a code, when a connection died or none could be had in time. */
const MESSAGES = /connection terminated|timeout acquiring a connection|is not queryable|connection ended/i;

/**
 * The contract's `unavailable` (503): every failure to reach or keep a database connection, so the
 * caller knows to retry (nothing was stored), instead of a 500 that reads like a bug. That is: a
 * socket refused, reset or timed out, a name that does not resolve; a server that ends or refuses
 * sessions (SQLSTATE class 08, 57P01-57P03, 53300); no pooled connection in time; a connection
 * lost under a statement or a transaction, BEGIN included (ConnectionException, which PgDriver
 * raises for a failed BEGIN). null for anything else. Looks through `cause` chains (MikroORM and
 * knex wrap driver errors).
 */
export function databaseUnavailable(err: unknown): AppError | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    const down =
      e instanceof ConnectionException ||
      (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_STATES.has(code) || code.startsWith('08'))) ||
      (typeof message === 'string' && MESSAGES.test(message));
    if (down) return AppError.unavailable('the database is unavailable; nothing was stored, retry shortly', err);
  }
  return null;
}
