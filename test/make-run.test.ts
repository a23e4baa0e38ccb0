import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');

/**
 * `make run` from a clean clone serves /health on the embedded defaults (SQLite + in-memory cache).
 * The clone borrows this checkout's node_modules through hard links and a copy of its dist/ (with
 * tsc's incremental state), so the test stays quick: its build compiles only what the commit and
 * the working tree disagree on. `npm ci` and a build from nothing are proven by CI, which runs
 * `make test` in a fresh clone.
 */
describe('make run on a clean clone', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    if (!existsSync(join(repo, '.git'))) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'chatpop-clone-'));
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, dir]);
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(dir, 'node_modules')]);
    // A copy, not links: the clone's build rewrites what differs, which must not reach this checkout.
    if (existsSync(join(repo, 'dist'))) execFileSync('cp', ['-r', join(repo, 'dist'), join(dir, 'dist')]);
    // Mark the install as current so make does not reinstall what the hard links provide.
    const now = new Date();
    utimesSync(join(dir, 'node_modules', '.package-lock.json'), now, now);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('builds, starts, answers /health with status ok from SQLite and the memory cache, and serves the web chat at /', async () => {
    const child = spawn('make', ['--no-print-directory', 'run'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1' },
      detached: true,
    });
    let output = '';
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const m = /listening on (http:\/\/[^\s"]+)/.exec(output);
          if (m) resolveUrl(m[1]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`make run exited with ${code}:\n${output}`)));
      });
      const health = await (await fetch(`${url}/health`)).json();
      expect(health).to.deep.include({ status: 'ok', db: 'ok', cache: 'ok', cache_engine: 'memory' });
      expect(existsSync(join(dir, 'data', 'chatpop.sqlite'))).to.equal(true);
      const page = await fetch(`${url}/`);
      expect(page.status, 'GET /').to.equal(200);
      expect(await page.text()).to.include('<title>ChatPop</title>');
    } finally {
      const running = child.exitCode === null && child.signalCode === null;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // the whole group has exited already: the error above carries make's output
      }
      if (running) await new Promise((r) => child.once('exit', r));
    }
  });
});
