import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { io, type Socket } from 'socket.io-client';
import { chatWithHost, ApiClient, nodeFlagsHere } from '../support';
import { makeTempDir, outputTail, spawnTracked, stopChild, waitForOutput, type TrackedChild } from '../support/child-processes';
import { npmCiOf, runtimeImage, type RuntimeImage } from './helpers/dockerfile';
import { buildShipped, findObject, plainHookJobs } from './helpers/kustomize';
import { podSpecOf, readRepoFile, repoPath } from './helpers/repo';
import { drainBudgetOf } from './helpers/drain';

/** The parts of the socket.io contract (docs/contract.md) this test speaks. */
type Ack<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };
interface ClientEvents {
  'chat:join': (req: { code: string }, ack: (res: Ack<{ last_seq: number }>) => void) => void;
  'message:send': (
    req: { code: string; content: string; client_id: string },
    ack: (res: Ack<{ message: { id: string; seq: number } }>) => void,
  ) => void;
}
type ChatSocket = Socket<Record<string, never>, ClientEvents>;

const READY_LINE = /listening on (http:\/\/[^\s"]+)/;

/**
 * A stand-in for the runtime image on this machine: dist/ and the package files copied to a temp
 * `/app`, production dependencies installed by the Dockerfile's own `npm ci` line, and the
 * Dockerfile's `ln -s … /usr/local/bin/NAME` links recreated in a temp bin folder on PATH.
 */
interface ImageStandIn {
  image: RuntimeImage;
  root: string;
  app: string;
  bin: string;
  tini?: string;
  /** the image's CMD without the node flags this machine's Node refuses (the image's may be newer) */
  cmd: string[];
}

function baseEnv(s: ImageStandIn, extra: Record<string, string> = {}): Record<string, string> {
  // Nothing inherited from the developer's shell but what a container also has.
  return {
    PATH: [s.bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: s.root,
    ...s.image.env,
    HOST: '127.0.0.1',
    PORT: '0',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: `sqlite://./data/${randomBytes(6).toString('hex')}.sqlite`,
    ...extra,
  };
}

function run(s: ImageStandIn, name: string, command: string, args: string[], env: Record<string, string>): TrackedChild {
  return spawnTracked(name, command, args, { cwd: s.app, env });
}

async function runToEnd(s: ImageStandIn, argv: string[], env: Record<string, string>, timeoutMs = 60_000) {
  const link = s.image.pathLinks[argv[0]];
  const target = link && path.join(s.app, path.relative(s.image.workdir, link));
  if (target && !existsSync(target)) throw new Error(`${argv[0]} links to ${link}, which the build did not produce`);
  const child = run(s, argv.join(' '), argv[0], argv.slice(1), env);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), timeoutMs);
  const exit = await child.exited.finally(() => clearTimeout(timer));
  return { ...exit, output: child.output() };
}

/** The image's ENTRYPOINT + CMD, with tini kept when this machine has it. */
function serverArgv(s: ImageStandIn): string[] {
  return s.tini ? [s.tini, ...s.image.entrypoint.slice(1), ...s.cmd] : s.cmd;
}

async function startServer(s: ImageStandIn, env: Record<string, string>) {
  const argv = serverArgv(s);
  const child = run(s, 'server (image CMD)', argv[0], argv.slice(1), env);
  const url = (await waitForOutput(child, READY_LINE, 30_000))[1];
  return { child, url };
}

describe("deploy: the image's Node", () => {
  it('is Node 24 or later, whose AsyncLocalStorage runs no promise hooks without a flag (the CMD has none)', () => {
    const base = /^ARG NODE_IMAGE=node:(\d+)\b/m.exec(readRepoFile('Dockerfile'));
    expect(base, 'ARG NODE_IMAGE=node:<major>…').to.not.equal(null);
    expect(Number(base![1])).to.be.at.least(24);
    expect(runtimeImage().from).to.equal('${NODE_IMAGE}');
  });
});

describe('deploy: image entry commands from a production-only install', function () {
  // Commands are quick; the install in the before hook takes seconds (a minute with CHATPOP_IMAGE_NPM_CI=1).
  this.timeout(90_000);
  let s: ImageStandIn;

  before(async function () {
    this.timeout(15 * 60_000);
    const image = runtimeImage();
    const root = makeTempDir('chatpop-image-');
    const app = path.join(root, image.workdir.replace(/^\//, ''));
    const bin = path.join(root, 'usr-local-bin');
    mkdirSync(app, { recursive: true });
    mkdirSync(bin);
    // COPY package.json package-lock.json ./ and COPY --from=build /app/dist ./dist, where the build
    // context (.dockerignore) has no test/ or bench/, so neither does the image's dist/.
    for (const f of ['package.json', 'package-lock.json']) cpSync(repoPath(f), path.join(app, f));
    cpSync(repoPath('dist'), path.join(app, 'dist'), {
      recursive: true,
      filter: (src) => !/^(test|bench)(\/|$)|\.tsbuildinfo$/.test(path.relative(repoPath('dist'), src)),
    });
    // The prod-deps stage's install. By default the same lockfile's tree is taken from this checkout
    // (hard links) and pruned to production dependencies — seconds instead of a minute of native
    // builds; CHATPOP_IMAGE_NPM_CI=1 runs the Dockerfile's `npm ci --omit=dev` word for word.
    const npmCi = npmCiOf('prod-deps');
    expect(npmCi).to.include('--omit=dev');
    const wordForWord = process.env.CHATPOP_IMAGE_NPM_CI === '1';
    if (!wordForWord) execFileSync('cp', ['-al', repoPath('node_modules'), path.join(app, 'node_modules')]);
    const argv = wordForWord ? [...npmCi.slice(1), '--prefer-offline'] : ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'];
    const install = spawnTracked(`npm ${argv[0]} (prod-deps)`, 'npm', argv, {
      cwd: app,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const exit = await install.exited;
    if (exit.code !== 0) throw new Error(`npm ${argv[0]} failed (${exit.code}):\n${outputTail(install)}`);
    // RUN chmod 0755 dist/jobs/*.js && ln -s /app/dist/jobs/NAME.js /usr/local/bin/NAME …
    const jobsDir = path.join(app, 'dist', 'jobs');
    if (existsSync(jobsDir)) for (const f of readdirSync(jobsDir).filter((f) => f.endsWith('.js'))) chmodSync(path.join(jobsDir, f), 0o755);
    for (const [name, target] of Object.entries(image.pathLinks)) {
      symlinkSync(path.join(app, path.relative(image.workdir, target)), path.join(bin, name));
    }
    mkdirSync(path.join(app, 'data'));
    const tini = image.entrypoint[0];
    const [node, ...rest] = image.cmd;
    const refused = node === 'node' ? nodeFlagsHere(rest.filter((a) => a.startsWith('--'))).refused : [];
    const cmd = image.cmd.filter((a) => !refused.includes(a));
    s = { image, root, app, bin, tini: tini && existsSync(tini) ? tini : undefined, cmd };
    if (!s.tini) console.log(`      (note: ${tini ?? 'no entrypoint'} is not installed here: the server runs as the bare CMD)`);
    if (refused.length)
      console.log(`      (note: this Node, ${process.version}, refuses ${refused.join(' ')}: the server runs without it)`);
  });

  it('installs no dev dependency and links every package.json "bin" onto PATH', () => {
    for (const dev of ['typescript', 'mocha', 'chai', 'kubernetes-models']) {
      expect(existsSync(path.join(s.app, 'node_modules', dev)), `${dev} installed`).to.equal(false);
    }
    const bins = (JSON.parse(readRepoFile('package.json')) as { bin: Record<string, string> }).bin;
    for (const [name, file] of Object.entries(bins)) {
      expect(s.image.pathLinks[name], `${name} on PATH`).to.equal(path.posix.join(s.image.workdir, file));
    }
  });

  for (const name of ['inspect', 'clear-cache', 'monitor']) {
    it(`\`${name} --help\` runs from PATH and prints its usage`, async () => {
      const r = await runToEnd(s, [name, '--help'], baseEnv(s));
      expect(r.code, r.output).to.equal(0);
      expect(r.output).to.match(/usage/i);
    });
  }

  it('`migrate up` as the migrate Job runs it, then `migrate status`, against SQLite', async () => {
    const env = baseEnv(s);
    const job = findObject(plainHookJobs(), 'Job', 'chatpop-migrate');
    const up = await runToEnd(s, podSpecOf(job)!.containers[0].args!, env);
    expect(up.code, up.output).to.equal(0);
    const status = await runToEnd(s, ['migrate', 'status'], env);
    expect(status.code, status.output).to.equal(0);
    expect(status.output.trim()).to.not.equal('');
  });

  it('starts with the image command, serves /health and /ready, and exits 0 on SIGTERM within the drain budget', async () => {
    const env = baseEnv(s);
    const migrated = await runToEnd(s, ['migrate', 'up'], env);
    expect(migrated.code, migrated.output).to.equal(0);
    const { child, url } = await startServer(s, env);
    expect((await fetch(`${url}/health`)).status).to.equal(200);
    expect((await fetch(`${url}/ready`)).status).to.equal(200);
    const budget = drainBudgetOf(buildShipped('base'));
    const started = Date.now();
    const exit = await stopChild(child, 'SIGTERM', 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(exit, outputTail(child)).to.deep.equal({ code: 0, signal: null });
    // After SIGTERM the pod has what is left of the grace period once preStop has slept.
    expect(seconds).to.be.below(budget.grace - budget.preStop);
  });

  it('acks every send in flight at SIGTERM, and every acked message is still there after a restart', async () => {
    const env = baseEnv(s);
    const migrated = await runToEnd(s, ['migrate', 'up'], env);
    expect(migrated.code, migrated.output).to.equal(0);
    const first = await startServer(s, env);
    const { code, host } = await chatWithHost(first.url);
    const socket: ChatSocket = io(first.url, { auth: { token: host.token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const joined = await socket.timeout(10_000).emitWithAck('chat:join', { code });
      expect(joined.ok, JSON.stringify(joined)).to.equal(true);
      // 20 sends at once; SIGTERM lands as soon as the first is acked, with the rest in flight.
      const sends = Array.from({ length: 20 }, (_, i) =>
        socket
          .timeout(20_000)
          .emitWithAck('message:send', { code, content: `in flight ${i}`, client_id: `drain-${i}` })
          .then(
            (ack) => ({ i, ack }),
            (err: Error) => ({ i, lost: err.message }),
          ),
      );
      await Promise.race(sends);
      const stopped = stopChild(first.child, 'SIGTERM', 60_000);
      const results = await Promise.all(sends);
      expect(await stopped, outputTail(first.child)).to.deep.equal({ code: 0, signal: null });
      const lost = results.filter((r) => 'lost' in r);
      expect(lost, 'sends that never got an ack').to.deep.equal([]);
      const acked = results.flatMap((r) => ('ack' in r && r.ack.ok ? [r.ack.message.id] : []));
      for (const r of results) if ('ack' in r && !r.ack.ok) expect(r.ack.error.code).to.equal('unavailable');
      expect(acked.length).to.be.at.least(1);

      // The database is the truth: a fresh process serves every acked message.
      const second = await startServer(s, env);
      try {
        const reader = new ApiClient(second.url, host.token);
        const history = await reader.get<{ messages: { id: string }[] }>(`/api/chats/${code}/messages?limit=200`);
        expect(history.status, JSON.stringify(history.body)).to.equal(200);
        expect(history.body.messages.map((m) => m.id)).to.include.members(acked);
      } finally {
        await stopChild(second.child, 'SIGTERM', 30_000);
      }
    } finally {
      socket.close();
      if (!first.child.hasExited()) await stopChild(first.child, 'SIGKILL');
    }
  });
});
