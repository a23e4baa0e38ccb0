import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ServerGcLog } from '../../bench/server-gc';
import { makeTempDir, removeTempDir } from '../support/child-processes';

const repo = path.resolve(__dirname, '..', '..', '..');
const probe = path.join(repo, 'dist', 'bench', 'server-probe.js');

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
    const out = execFileSync(process.execPath, ['--require', probe, '-e', script], { env: { ...process.env, BENCH_PROBE_GC_FILE: file }, encoding: 'utf8' });
    const [from, to] = JSON.parse(out) as [number, number];
    const stalls = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as [number, number, string]).filter(([, , kind]) => kind === 'stall');
    // The probe's 5 ms timer cannot run during the spin: it runs at least 75 ms late, and says so
    // once. On a busy machine (other test files run alongside) it may also log short stalls of its own.
    const spin = stalls.filter(([at, ms]) => at >= from - 10 && at <= to && ms >= 20);
    expect(spin, JSON.stringify(stalls)).to.have.length(1);
    expect(spin[0]![1]).to.be.at.least(75);
    const step = new ServerGcLog(file).during(from - 10, to + 50);
    expect(step!.loop_stalls).to.be.at.least(1);
    expect(step!.loop_stall_max_ms).to.equal(spin[0]![1]);
  });
});
