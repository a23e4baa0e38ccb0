import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DatabaseTarget = { kind: 'postgresql'; url: string } | { kind: 'sqlite'; file: string };

/**
 * `sqlite://./data/x.sqlite` → a file path; `postgres://…` as given. A missing SQLite file is created
 * readable by its owner only (0600, in a 0700 folder if that is new too): it holds password hashes
 * and every message. SQLite gives its -wal and -shm files the same mode.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite://')) {
    const rest = url.slice('sqlite://'.length);
    if (rest === ':memory:') return { kind: 'sqlite', file: ':memory:' };
    const file = resolve(rest);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    return { kind: 'sqlite', file };
  }
  return { kind: 'postgresql', url: url.replace(/^postgresql:/, 'postgres:') };
}
