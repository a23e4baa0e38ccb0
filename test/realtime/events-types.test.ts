import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..', '..');

/** The modules a source file imports, followed from `file` through relative imports, as repository paths. */
function importClosure(file: string, seen = new Set<string>()): Set<string> {
  seen.add(relative(ROOT, file));
  for (const ref of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (!ref.fileName.startsWith('.')) {
      seen.add(ref.fileName);
      continue;
    }
    const next = join(dirname(file), `${ref.fileName}.ts`);
    if (!seen.has(relative(ROOT, next))) importClosure(next, seen);
  }
  return seen;
}

describe('the socket.io client types (src/realtime/events.ts)', () => {
  it('import nothing of the server but zod, so an SDK can import them', () => {
    expect([...importClosure(join(ROOT, 'src/realtime/events.ts'))].sort()).to.deep.equal([
      'src/chat/message-wire.ts',
      'src/realtime/events.ts',
      'zod',
    ]);
  });
});
