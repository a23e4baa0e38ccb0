import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatWithHost, startTestApp } from '../support';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the embedded SQLite database is private to its owner (#22 hygiene)', () => {
  it('creates the file, its WAL and a new folder readable by the owner only', async function () {
    if (process.platform === 'win32') this.skip();
    const root = mkdtempSync(join(tmpdir(), 'chatpop-mode-'));
    const dir = join(root, 'data');
    const file = join(dir, 'chatpop.sqlite');
    const t = await startTestApp({ name: 'sqlite+memory', env: { DATABASE_URL: `sqlite://${file}` }, dispose: async () => undefined });
    try {
      await chatWithHost(t.base); // writes, so the WAL exists
      expect(mode(file).toString(8)).to.equal('600');
      expect(mode(`${file}-wal`).toString(8)).to.equal('600');
      expect(mode(dir).toString(8)).to.equal('700');
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
