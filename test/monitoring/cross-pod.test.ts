import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { TerminalView } from '../../src/monitoring';
import {
  TEST_ADMIN_TOKEN,
  TEST_SECRET,
  chatWithHost,
  createTestDatabase,
  startRedis,
  startServerProcess,
  type RedisHandle,
  type ServerProcess,
  type TestDatabase,
} from '../support';
import { spawnTracked, waitForOutput } from '../support/child-processes';
import { admin, monitoringView, until } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const JOB = path.join(ROOT, 'dist', 'jobs', 'monitor.js');

/** The job's environment: the developer's shell minus any Redis or database it points at. */
function jobEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_|DATABASE_|FORCE_COLOR)/.test(k)));
  return { ...env, NO_COLOR: '1', ...extra };
}

function runJob(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [JOB, ...args], { env: jobEnv(env), timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('monitoring across pods (two server processes on one Redis)', function () {
  this.timeout(60_000);
  let redis: RedisHandle;
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    [redis, db] = await Promise.all([startRedis(), createTestDatabase()]);
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SESSION_SECRET: TEST_SECRET,
      ENABLE_MONITORING: 'false',
    };
    // One after the other: both would migrate the same database.
    a = await startServerProcess({ ...env, HOSTNAME: 'pod-a' });
    b = await startServerProcess({ ...env, HOSTNAME: 'pod-b' });
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it('starts telemetry before koa, ioredis and pg are loaded', () => {
    for (const pod of [a, b]) expect(pod.output()).not.to.include('loaded before telemetry started');
  });

  it('switches monitoring on every pod within 5 s of a PUT on one of them, and off again', async () => {
    expect((await monitoringView(b.url)).enabled).to.equal(false);
    const put = await admin(a.url).request('PUT', '/admin/settings', { enable_monitoring: true });
    expect(put.status).to.equal(200);
    const started = Date.now();
    await until('pod-b to switch monitoring on', async () => ((await monitoringView(b.url)).enabled ? true : undefined), 5000);
    const tookMs = Date.now() - started;
    expect(tookMs).to.be.below(5000);
    expect((await admin(b.url).get('/admin/settings')).body).to.deep.equal({ enable_monitoring: true });

    await admin(b.url).request('PUT', '/admin/settings', { enable_monitoring: false });
    await until('pod-a to switch monitoring off', async () => ((await monitoringView(a.url)).enabled ? undefined : true), 5000);
    await admin(a.url).request('PUT', '/admin/settings', { enable_monitoring: true });
    await until('pod-b to switch monitoring on again', async () => ((await monitoringView(b.url)).enabled ? true : undefined), 5000);
  });

  it("shows each pod's operations in the other pod's view, per pod and merged", async () => {
    const { code, host } = await chatWithHost(b.url);
    const secret = `secret-${randomUUID()}`;
    expect((await host.post(`/api/chats/${code}/messages`, { content: secret })).status).to.equal(201);
    expect((await host.get(`/api/chats/${code}/messages`)).status).to.equal(200);

    const view = await until("pod-b's events in pod-a's view", async () => {
      const v = await monitoringView(a.url, `?chat=${code}`);
      return v.events.some((e) => e.pod === 'pod-b' && e.op === 'cache.read') ? v : undefined;
    });
    expect(view.pod).to.equal('pod-a');
    expect(view.pods.map((p) => p.pod)).to.deep.equal(['pod-a', 'pod-b']);
    expect(view.events.every((e) => e.chat_code === code && e.pod === 'pod-b')).to.equal(true);
    expect(view.events.map((e) => e.op)).to.include.members(['db.write', 'cache.write', 'cache.read']);
    const podB = view.pods.find((p) => p.pod === 'pod-b')!;
    expect(podB.metrics.db_writes).to.be.at.least(1);
    expect(view.metrics.db_writes).to.be.at.least(podB.metrics.db_writes);
    expect(JSON.stringify(view)).not.to.include(secret);
  });

  describe('the monitor job', () => {
    let code: string;

    before(async () => {
      const chat = await chatWithHost(a.url);
      code = chat.code;
      await chat.host.post(`/api/chats/${code}/messages`, { content: 'for the job' });
      await until('pod-a to publish the chat', async () => {
        const view = JSON.parse((await runJob(['--once', '--json', '--chat', code], { REDIS_URL: redis.url })).stdout) as TerminalView;
        return view.events.length > 0 ? true : undefined;
      });
    });

    it('prints every pod as JSON, filtered by chat, for scripts', async () => {
      const { code: exit, stdout } = await runJob(['--once', '--json', '--chat', code.toLowerCase()], { REDIS_URL: redis.url });
      expect(exit).to.equal(0);
      const view = JSON.parse(stdout) as TerminalView;
      expect(view.source).to.equal('redis');
      expect(view.note).to.equal(null);
      expect(view.chat).to.equal(code);
      expect(view.pods.map((p) => p.pod)).to.include.members(['pod-a', 'pod-b']);
      expect(view.events.length).to.be.above(0);
      expect(view.events.every((e) => e.chat_code === code)).to.equal(true);
    });

    it('prints a text view with a row per pod and the chat events', async () => {
      const { code: exit, stdout } = await runJob(['--once', '--chat', code], { REDIS_URL: redis.url });
      expect(exit).to.equal(0);
      expect(stdout).to.match(/^ChatPop monitor · 2 pods · mode \w+/);
      expect(stdout).to.match(/^pod-a\s+\w+\s+yes/m);
      expect(stdout).to.match(/^pod-b\s+\w+\s+yes/m);
      expect(stdout).to.match(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\s+db\\.write\\s+${code}\\s`, 'm'));
      expect(stdout).not.to.include('\x1b['); // NO_COLOR
    });

    it('refreshes every --interval seconds until Ctrl+C, then exits 0', async () => {
      const job = spawnTracked('monitor job', process.execPath, [JOB, '--interval', '0.5'], { env: jobEnv({ REDIS_URL: redis.url }) });
      // Two frames: it refreshed.
      await waitForOutput(job, /ChatPop monitor[\s\S]*ChatPop monitor/, 10_000);
      job.child.kill('SIGINT');
      const exit = await job.exited;
      expect(exit).to.deep.equal({ code: 0, signal: null });
    });

    it('exits 2 on usage errors and 1 when Redis does not answer', async () => {
      for (const args of [['--interval', '0'], ['--chat', 'nope'], ['--bogus']]) {
        const r = await runJob(['--once', ...args], { REDIS_URL: redis.url });
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stderr).to.match(/error: /);
      }
      const down = await runJob(['--once'], { REDIS_URL: 'redis://127.0.0.1:1' });
      expect(down.code).to.equal(1);
      expect(down.stderr).to.match(/^monitor: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    });

    it('without Redis, prints an empty view that says why', async () => {
      const r = await runJob(['--once', '--json'], {});
      expect(r.code).to.equal(0);
      const view = JSON.parse(r.stdout) as TerminalView;
      expect(view).to.deep.include({ source: 'none', pods: [], events: [] });
      expect(view.note).to.match(/no Redis configured/);
      const text = await runJob([], {});
      expect(text.code, 'nothing to refresh: one view, then exit').to.equal(0);
      expect(text.stdout).to.include('note: no Redis configured');
    });
  });

  // Last (mocha runs a describe's own tests before its nested ones): it stops pod-b.
  describe('when a pod stops', () => {
    it('takes it off the view at once', async () => {
      expect((await monitoringView(a.url)).pods.map((p) => p.pod)).to.include('pod-b');
      expect(await b.stop()).to.deep.equal({ code: 0, signal: null });
      expect((await monitoringView(a.url)).pods.map((p) => p.pod)).to.deep.equal(['pod-a']);
    });
  });
});
