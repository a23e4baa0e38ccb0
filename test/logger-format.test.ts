import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { prettyLogsWanted } from '../src/logger';

const SCRIPT = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p)) ?? null;
const LOGGER = path.resolve(__dirname, '..', 'src', 'logger.js');

/** A process that logs one line through createLogger, as the server does at start. */
const PROGRAM = [
  `const { createLogger } = require(${JSON.stringify(LOGGER)});`,
  `const log = createLogger('info');`,
  `log.info({ user: { password: 'hunter2' } }, 'hello from the logger');`,
].join(' ');

/** Runs PROGRAM on a pseudo-terminal (util-linux `script`); resolves with what the terminal showed. */
function onTerminal(env: Record<string, string>): Promise<string> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '-e', PROGRAM].map(quote).join(' ');
  const child = spawn(SCRIPT!, ['-qec', command, '/dev/null'], {
    env: { ...process.env, ...env, SHELL: '/bin/sh' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stdin.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${code}: ${out}`));
    });
  });
}

function piped(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', PROGRAM], { env: { ...process.env, ...env }, timeout: 15_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
}

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('log format: readable lines on a terminal outside production, JSON otherwise', function () {
  this.timeout(30_000);

  it('wants pretty lines only for a terminal outside production', () => {
    expect(prettyLogsWanted({ NODE_ENV: 'development' }, true)).to.equal(true);
    expect(prettyLogsWanted({}, true)).to.equal(true);
    expect(prettyLogsWanted({ NODE_ENV: 'test' }, true)).to.equal(true);
    expect(prettyLogsWanted({ NODE_ENV: 'production' }, true)).to.equal(false);
    expect(prettyLogsWanted({ NODE_ENV: 'development' }, false)).to.equal(false);
  });

  it('on a terminal in development: a human-readable line, still redacted', async function () {
    if (!SCRIPT) this.skip();
    const out = plain(await onTerminal({ NODE_ENV: 'development' }));
    expect(out).to.match(/INFO.*\(chatpop\): hello from the logger/);
    expect(out.split(/\r?\n/).some((l) => l.trim().startsWith('{'))).to.equal(false);
    expect(out).not.to.include('hunter2');
    expect(out).to.include('[redacted]');
  });

  it('on a terminal in production, and through a pipe in development: one JSON line', async function () {
    const lines = [await piped({ NODE_ENV: 'development' })];
    if (SCRIPT) lines.push(await onTerminal({ NODE_ENV: 'production' }));
    for (const out of lines) {
      const doc = JSON.parse(out.trim()) as { msg: string; level: number; user: { password: string } };
      expect(doc).to.include({ msg: 'hello from the logger', level: 30 });
      expect(doc.user.password).to.equal('[redacted]');
    }
  });
});
