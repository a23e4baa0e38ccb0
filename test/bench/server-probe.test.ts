import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { summarizeProfile } from '../../bench/harness/profile';
import { ServerGcLog } from '../../bench/harness/server-gc';
import { makeTempDir, removeTempDir } from '../support/child-processes';

const repo = path.resolve(__dirname, '..', '..', '..');
const probe = path.join(repo, 'dist', 'bench', 'harness', 'server-probe.js');

/** The probe the bench preloads into its servers, in a process that blocks its own event loop on purpose. */
describe('bench server probe', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = makeTempDir('chatpop-probe-')));
  after(() => removeTempDir(dir));

  it('logs an event-loop stall as long as the task that blocked the loop, and the step window holding it counts it', () => {
    const file = path.join(dir, 'gc.jsonl');
    // After 200 ms, block the loop for 80 ms by spinning; print when the spin began and ended (epoch ms).
    const script = `setTimeout(() => {
      const from = performance.timeOrigin + performance.now();
      const end = performance.now() + 80; while (performance.now() < end) {}
      console.log(JSON.stringify([from, performance.timeOrigin + performance.now()]));
      setTimeout(() => {}, 100);
    }, 200);`;
    const out = execFileSync(process.execPath, ['--require', probe, '-e', script], {
      env: { ...process.env, BENCH_PROBE_GC_FILE: file },
      encoding: 'utf8',
    });
    const [from, to] = JSON.parse(out) as [number, number];
    const stalls = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as [number, number, string])
      .filter(([, , kind]) => kind === 'stall');
    // The probe's 5 ms timer cannot run during the spin: it runs at least 75 ms late, and says so
    // once. On a busy machine (other test files run alongside) it may also log short stalls of its own.
    const spin = stalls.filter(([at, ms]) => at >= from - 10 && at <= to && ms >= 20);
    expect(spin, JSON.stringify(stalls)).to.have.length(1);
    expect(spin[0]![1]).to.be.at.least(75);
    const step = new ServerGcLog(file).during(from - 10, to + 50);
    expect(step!.loop_stalls).to.be.at.least(1);
    expect(step!.loop_stall_max_ms).to.equal(spin[0]![1]);
  });

  // The script signals itself as the bench would: SIGWINCH, the work, SIGWINCH, then waits for the file.
  const profiledScript = (work: string) => `
    process.kill(process.pid, 'SIGWINCH');
    setTimeout(() => {
      ${work}
      process.kill(process.pid, 'SIGWINCH');
      const wait = setInterval(() => require('fs').readdirSync(process.env.BENCH_PROBE_PROFILE_DIR).length && clearInterval(wait), 20);
    }, 100);`;

  for (const [kind, what, extension, work, unit] of [
    [
      'cpu',
      'a CPU profile',
      '.cpuprofile',
      'function spinsOnPurpose() { let x = 0; for (let i = 0; i < 5e7; i++) x = (x + i * i) % 1000003; return x; } spinsOnPurpose();',
      'ms',
    ],
    [
      'alloc',
      'an allocation profile',
      '.heapprofile',
      'function allocatesOnPurpose() { let keep; for (let i = 0; i < 200000; i++) keep = { i, s: "x" + i, a: [i, i] }; return keep; } allocatesOnPurpose();',
      'MB',
    ],
  ] as const) {
    it(`writes ${what} of what ran between two SIGWINCHs, and its summary puts the busiest function first (in ${unit})`, () => {
      const out = path.join(dir, kind);
      fs.mkdirSync(out);
      const stderr = execFileSync(process.execPath, ['--require', probe, '-e', profiledScript(work)], {
        env: { ...process.env, BENCH_PROBE_PROFILE_DIR: out, BENCH_PROBE_PROFILE_KIND: kind },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const files = fs.readdirSync(out);
      expect(files, stderr).to.have.length(1);
      expect(files[0]).to.match(new RegExp(`^section-1-\\d+\\${extension}$`));
      const summary = summarizeProfile(path.join(out, files[0]!), repo);
      expect(summary.kind).to.equal(kind);
      expect(summary.total).to.be.above(0);
      const top = summary.top_functions.filter((f) => f.name !== '(program)' && f.name !== '(garbage collector)')[0];
      expect(top?.name, JSON.stringify(summary.top_functions.slice(0, 5))).to.equal(
        kind === 'cpu' ? 'spinsOnPurpose' : 'allocatesOnPurpose',
      );
    });
  }
});
