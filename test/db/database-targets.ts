import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support';

/** An empty database of each kind ChatPop runs on, for tests of the schema itself. */
export const DATABASE_TARGETS: { name: string; open(): Promise<{ url: string; dispose(): Promise<void> }> }[] = [
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chatpop-mig-'));
      return { url: `sqlite://${join(dir, 'db.sqlite')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await createTestDatabase();
      return { url: db.url, dispose: db.drop };
    },
  },
];
