import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { MachineWatch } from '../../bench/harness/machine';

/** The bench's MACHINE section: what the bench did not start, read from /proc and /sys. */
describe('bench machine watch', function () {
  this.timeout(30_000);

  it('names a busy process outside the trees it is told are the bench’s, and leaves it out when its tree is', async () => {
    const watch = new MachineWatch();
    watch.start();
    // A child spinning for 400 ms: a busy process on the machine, and part of this test's own tree.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end) {}'], { stdio: 'ignore' });
    const pid = child.pid!;
    // Measured while the child still exists (an exited process has no /proc entry to read).
    await new Promise((r) => setTimeout(r, 300));
    const outside = watch.stop([]);
    const inside = watch.stop([process.pid]);
    await new Promise((r) => child.once('exit', r));
    const spinner = outside.busiest_others.find((o) => o.pid === pid);
    expect(spinner, JSON.stringify(outside)).to.include({ kernel_thread: false });
    expect(spinner!.cpu_pct).to.be.above(0);
    expect(inside.busiest_others.map((o) => o.pid)).not.to.include(pid);
  });

  it('reports the kernel’s DAMON monitor exactly when a kdamond is on', () => {
    const admin = '/sys/kernel/mm/damon/admin/kdamonds';
    const count = fs.existsSync(`${admin}/nr_kdamonds`) ? Number(fs.readFileSync(`${admin}/nr_kdamonds`, 'utf8')) : 0;
    const on = Array.from({ length: count }, (_, i) => fs.readFileSync(`${admin}/${i}/state`, 'utf8').trim()).filter(
      (s) => s === 'on',
    ).length;
    const watch = new MachineWatch();
    watch.start();
    const m = watch.stop([process.pid]);
    if (!on) return void expect(m.damon).to.equal(null);
    expect(m.damon).to.include({ running: on });
    expect(m.damon!.sample_ms).to.be.a('number').above(0);
  });
});
