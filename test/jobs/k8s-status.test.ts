import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { formatDuration } from '../../src/ops';
import { freePort, startRedis, type RedisHandle } from '../support';
import { jsonOf, runJob } from './job-process';
import { FORBIDDEN, POD_LIST } from './fixtures/pod-list';

interface SeenRequest {
  path: string;
  labelSelector: string | null;
  authorization: string | undefined;
}

/** A loopback stand-in for the Kubernetes API: the pods list of any namespace but `other`. */
async function fakeApiServer(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push({ path: url.pathname, labelSelector: url.searchParams.get('labelSelector'), authorization: req.headers.authorization });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    const [status, body] = !m
      ? [404, { kind: 'Status', code: 404, message: 'not found' }]
      : m[1] === 'other'
        ? [403, FORBIDDEN]
        : [200, POD_LIST];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

function kubeconfig(dir: string, server: string, contextNamespace?: string): string {
  const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${server}`,
      // The client refuses plain HTTP otherwise (as for `kubectl proxy`).
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: operator',
      '  user:',
      '    token: test-token-123',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: operator',
      ...(contextNamespace ? [`    namespace: ${contextNamespace}`] : []),
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return file;
}

describe('jobs: clear-cache k8s-status against a fake Kubernetes API', function () {
  this.timeout(20_000);
  let api: Awaited<ReturnType<typeof fakeApiServer>>;
  let redis: RedisHandle;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    [api, redis] = await Promise.all([fakeApiServer(), startRedis()]);
    dir = mkdtempSync(path.join(tmpdir(), 'chatpop-kube-'));
    // HOME without ~/.kube so nothing of this machine's own configuration is read.
    env = {
      HOME: dir,
      DATABASE_URL: `sqlite://${path.join(dir, 'unused.sqlite')}`,
      REDIS_URL: redis.url,
      KUBECONFIG: kubeconfig(dir, api.url),
    };
  });

  after(async () => {
    await api?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => void api.seen.splice(0));

  it("lists the deployment's pods with phase, readiness, restarts and age, then the cache stats", async () => {
    const before = Date.now();
    const r = await runJob('clear-cache', ['k8s-status'], { ...env, POD_NAMESPACE: 'chatpop' });
    const after = Date.now();
    expect(r.code, r.stderr).to.equal(0);
    expect(api.seen).to.deep.equal([
      {
        path: '/api/v1/namespaces/chatpop/pods',
        labelSelector: 'app.kubernetes.io/name=chatpop,app.kubernetes.io/component=server',
        authorization: 'Bearer test-token-123',
      },
    ]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal(
      `pods in namespace chatpop matching app.kubernetes.io/name=chatpop,app.kubernetes.io/component=server (kubeconfig, ${api.url})`,
    );
    expect(lines[1]).to.match(/^NAME\s+PHASE\s+READY\s+RESTARTS\s+AGE\s+STATUS$/);
    // The job rounds the age to the second (k8s-status.ts), so round alike: a floor here missed a minute
    // whenever the age was within half a second of the next one.
    const ageAt = (t: number, created: string) => formatDuration(Math.round((t - Date.parse(created)) / 1000));
    const age = (created: string) => new RegExp(`(${ageAt(before, created)}|${ageAt(after, created)})`).source;
    expect(r.stdout).to.match(new RegExp(`chatpop-6b8d9c7f5d-7kq4m\\s+Running\\s+1/1\\s+2\\s+${age('2026-11-21T14:02:10Z')}\\s+ready\\n`));
    expect(r.stdout).to.match(
      new RegExp(`chatpop-6b8d9c7f5d-vn8rt\\s+Running\\s+0/1\\s+7\\s+${age('2026-11-23T09:30:00Z')}\\s+CrashLoopBackOff\\n`),
    );
    expect(r.stdout).to.match(new RegExp(`chatpop-6b8d9c7f5d-x2x9q\\s+Running\\s+1/1\\s+0\\s+${age('2026-11-20T08:15:00Z')}\\s+ready\\n`));
    expect(r.stdout).to.contain('2/3 pods ready, 9 restarts\n');
    expect(r.stdout).to.contain(`cache engine: redis (single, ${redis.url})`);
    expect(r.stdout).to.match(/chat windows\s+0 main/);
  });

  it('--namespace and --selector choose what is listed; --json prints pods and cache stats as one document', async () => {
    const r = await runJob('clear-cache', ['k8s-status', '--namespace', 'staging', '--selector', 'app=chatpop', '--json'], {
      ...env,
      POD_NAMESPACE: 'chatpop',
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(api.seen.map((s) => [s.path, s.labelSelector])).to.deep.equal([['/api/v1/namespaces/staging/pods', 'app=chatpop']]);
    const doc = jsonOf(r);
    expect(doc).to.deep.include({
      namespace: 'staging',
      selector: 'app=chatpop',
      source: 'kubeconfig',
      summary: { total: 3, ready: 2, restarts: 9 },
    });
    expect(doc.pods[1]).to.deep.include({
      name: 'chatpop-6b8d9c7f5d-vn8rt',
      phase: 'Running',
      ready: '0/1',
      is_ready: false,
      restarts: 7,
      reason: 'CrashLoopBackOff',
      node: 'node-a',
      ip: '10.244.1.31',
    });
    expect(doc.cache).to.include({ engine: 'redis' });
    expect(doc.cache.repair_queue).to.deep.equal({ waiting: 0, active: 0, failed: 0 });
  });

  it('takes the namespace from the kubeconfig context when POD_NAMESPACE is unset', async () => {
    const r = await runJob('clear-cache', ['k8s-status'], { ...env, KUBECONFIG: kubeconfig(dir, api.url, 'from-context') });
    expect(r.code, r.stderr).to.equal(0);
    expect(api.seen.map((s) => s.path)).to.deep.equal(['/api/v1/namespaces/from-context/pods']);
  });

  it('fails with one line when the API refuses, cannot be reached, or is not configured', async () => {
    const closed = await freePort();
    const [forbidden, unreachable, none] = await Promise.all([
      runJob('clear-cache', ['k8s-status', '--namespace', 'other'], env),
      runJob('clear-cache', ['k8s-status'], { ...env, KUBECONFIG: kubeconfig(dir, `http://127.0.0.1:${closed}`) }),
      runJob('clear-cache', ['k8s-status'], { ...env, KUBECONFIG: undefined }),
    ]);
    expect(forbidden.code).to.equal(1);
    expect(forbidden.stderr).to.equal(
      `clear-cache: the Kubernetes API at ${api.url} answered 403 listing pods in other: ${FORBIDDEN.message}\n`,
    );
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.equal(
      `clear-cache: cannot reach the Kubernetes API at http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    );
    expect(none.code).to.equal(1);
    expect(none.stderr).to.equal(
      'clear-cache: no Kubernetes API to ask; looked at: the in-cluster service account (KUBERNETES_SERVICE_HOST unset), ' +
        `KUBECONFIG (unset), ${path.join(dir, '.kube', 'config')} (missing)\n`,
    );
  });

  it('still prints the cache stats when the cluster cannot be asked, and exits 1 for it', async () => {
    const closed = await freePort();
    const [none, unreachable, json] = await Promise.all([
      runJob('clear-cache', ['k8s-status'], { ...env, KUBECONFIG: undefined }),
      runJob('clear-cache', ['k8s-status'], { ...env, KUBECONFIG: kubeconfig(dir, `http://127.0.0.1:${closed}`) }),
      runJob('clear-cache', ['k8s-status', '--json'], { ...env, KUBECONFIG: undefined }),
    ]);
    for (const r of [none, unreachable]) {
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(`cache engine: redis (single, ${redis.url})`);
      expect(r.stdout).to.match(/chat windows\s+0 main/);
    }
    expect(json.code).to.equal(1);
    const doc = jsonOf(json);
    expect(doc.pods_error).to.match(/^no Kubernetes API to ask; looked at: /);
    expect(doc.cache.repair_queue).to.deep.equal({ waiting: 0, active: 0, failed: 0 });
  });
});
