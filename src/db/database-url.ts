import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type DatabaseTarget =
  | { kind: 'postgresql'; url: string }
  | { kind: 'sqlite'; file: string };

/** `sqlite://./data/x.sqlite` → a file path (its folder is created); `postgres://…` as given. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite://')) {
    const rest = url.slice('sqlite://'.length);
    if (rest === ':memory:') return { kind: 'sqlite', file: ':memory:' };
    const file = resolve(rest);
    mkdirSync(dirname(file), { recursive: true });
    return { kind: 'sqlite', file };
  }
  return { kind: 'postgresql', url: url.replace(/^postgresql:/, 'postgres:') };
}
