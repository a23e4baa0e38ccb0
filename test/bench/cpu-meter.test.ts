import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { CpuMeter, runQueueWaitSeconds } from '../../bench/harness/cpu';

const spin = (ms: number, cpu: string): ChildProcess =>
  spawn('taskset', ['-c', cpu, process.execPath, '-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`], { stdio: 'ignore' });

/** The first core this process may run on (a container may not be allowed core 0). */
const firstAllowedCpu = (): string => /^Cpus_allowed_list:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';

/** The bench's per-process CPU and run-queue wait, read from /proc. */
describe('bench CPU meter', function () {
  this.timeout(30_000);

  it('sees two processes that share one core each run part of the time and wait for it the rest', async function () {
    if (runQueueWaitSeconds(process.pid) === null) this.skip(); // a kernel without schedstat
    if (spawnSync('taskset', ['-V']).error) this.skip(); // util-linux's taskset is not installed
    const cpu = firstAllowedCpu();
    const a = spin(4000, cpu);
    const b = spin(4000, cpu);
    const idle = spawn(process.execPath, ['-e', 'process.stdout.write("ready"); setTimeout(() => {}, 3000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      // Node's own start-up is work that may wait for a core on a busy machine: measure after it.
      await new Promise((r) => idle.stdout!.once('data', r));
      await new Promise((r) => setTimeout(r, 300)); // both spinning
      const meter = new CpuMeter(() => [
        { role: 'a', pid: a.pid! },
        { role: 'b', pid: b.pid! },
        { role: 'idle', pid: idle.pid! },
      ]);
      meter.start();
      await new Promise((r) => setTimeout(r, 700));
      const cpu = meter.stop();
      const wait = meter.lastWaits();
      // About half each on a quiet machine; less on a busy one, where other processes share the core
      // too. Running plus waiting stays the whole time either way.
      for (const role of ['a', 'b']) {
        expect(cpu[role], `${role} CPU %`).to.be.within(5, 80);
        expect(wait[role], `${role} wait %`).to.be.within(15, 95);
        expect(cpu[role] + wait[role], `${role} CPU + wait`).to.be.within(85, 110);
      }
      expect(wait.idle, 'a sleeping process waits for nothing').to.be.below(5);
    } finally {
      for (const c of [a, b, idle]) c.kill('SIGKILL');
    }
  });
});
