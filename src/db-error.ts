// What may be told of a database error. Its message, `detail`, `where` and stack header carry the
// statement with its bound values (knex inlines them) or the failing row: password hashes, message
// content. Kept free of database imports: the logger loads before telemetry patches pg.

/** The parts of a database error that name what failed, never with what values. */
export interface DbErrorSummary {
  /** the error's class, e.g. `UniqueConstraintViolationException` */
  type: string;
  /** SQLSTATE (PostgreSQL) or SQLite result code */
  code?: string;
  constraint?: string;
  table?: string;
  /** for a connection failure (no SQLSTATE): the driver's own words (`connect ECONNREFUSED …`), which hold no values */
  reason?: string;
}

type ErrorFields = {
  name?: unknown;
  code?: unknown;
  sqlState?: unknown;
  severity?: unknown;
  constraint?: unknown;
  table?: unknown;
  message?: unknown;
};

/** An error the server answered about a statement (SQLSTATE or SQLite result code). */
const isStatementError = (e: ErrorFields): boolean =>
  typeof e.sqlState === 'string' ||
  (typeof e.severity === 'string' && typeof e.code === 'string') ||
  (typeof e.code === 'string' && e.code.startsWith('SQLITE_'));

/** A driver error (pg, libsql) or MikroORM's wrapper of one (`…Exception`, connection failures included). */
function isDbError(e: ErrorFields): boolean {
  return isStatementError(e) || /Exception$|^(DatabaseError|LibsqlError|SqliteError)$/.test(String(e.name));
}

/** The first database error in `err`'s cause chain, summarized; null when there is none. */
export function dbErrorSummary(err: unknown): DbErrorSummary | null {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const f = e as ErrorFields;
    if (!isDbError(f)) continue;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    // SQLite names the column or the CHECK constraint in its message: "UNIQUE constraint failed: users.username".
    const sqlite = /\b(UNIQUE|NOT NULL|CHECK) constraint failed: (\w+)/.exec(String(f.message));
    return {
      type: (e as object).constructor?.name ?? String(f.name),
      code: str(f.sqlState) ?? str(f.code),
      constraint: str(f.constraint) ?? (sqlite?.[1] === 'CHECK' ? sqlite[2] : undefined),
      table: str(f.table) ?? (sqlite && sqlite[1] !== 'CHECK' ? sqlite[2] : undefined),
      // knex puts the statement, values inlined, before " - " and the driver's words.
      reason: isStatementError(f) ? undefined : String(f.message).split(' - ').pop(),
    };
  }
  return null;
}

/** The `at …` lines of `err`'s stack, without its header (the message). */
export function stackFrames(err: unknown): string {
  return String((err as Error | undefined)?.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .join('\n');
}

/** `err`'s message, or for a database error what failed without its values. */
export function safeErrorText(err: unknown): string {
  const db = dbErrorSummary(err);
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(err);
  if (!db) return text;
  const what =
    db.reason ??
    `database error: ${[db.type, db.code, db.constraint && `constraint ${db.constraint}`, db.table && `on ${db.table}`].filter(Boolean).join(' ')}`;
  // A wrapper's own words (`the database is unavailable…`) say what it meant; the driver's do not.
  return isDbError(err as ErrorFields) ? what : `${text} (${what})`;
}
