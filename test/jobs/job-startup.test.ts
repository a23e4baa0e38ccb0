import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../support/child-processes';
import { JOBS_DIR, jobEnv } from './job-process';

/** Packages a job needs only once it talks to a database or traces: hundreds of modules each. */
const HEAVY = /node_modules\/(@mikro-orm|knex|@opentelemetry\/sdk-|@kubernetes)\//;

/** `--help` and usage errors must answer at once, from `kubectl exec` or a CronJob's log alike. */
describe('jobs: start-up', () => {
  let dir: string;
  let preload: string;
  before(() => {
    dir = makeTempDir('chatpop-job-startup-');
    // Loaded before the job: at exit, prints (to stderr, last line) every module the job loaded.
    preload = path.join(dir, 'list-modules.js');
    fs.writeFileSync(
      preload,
      `process.on('exit', () => process.stderr.write('\\n' + JSON.stringify(Object.keys(require.cache)) + '\\n'));`,
    );
  });
  after(() => removeTempDir(dir));

  /** The modules a job run loaded, from the preload's last line. */
  function modulesLoaded(job: string, args: string[]): string[] {
    const run = spawnSync(process.execPath, ['--require', preload, path.join(JOBS_DIR, `${job}.js`), ...args], {
      env: jobEnv({}),
      encoding: 'utf8',
    });
    expect(run.status, `${job} ${args.join(' ')}: ${run.stderr}`).to.be.oneOf([0, 2]); // --help, usage error
    const last = run.stderr.trim().split('\n').at(-1)!;
    return JSON.parse(last) as string[];
  }

  for (const job of ['inspect', 'clear-cache', 'migrate', 'monitor']) {
    it(`${job} answers --help and a usage error without loading the ORM, knex, the OpenTelemetry SDK or the Kubernetes client`, () => {
      for (const args of [['--help'], ['bogus', '--no-such-flag']]) {
        const loaded = modulesLoaded(job, args);
        expect(loaded.length, `${job} ${args.join(' ')}`).to.be.greaterThan(10);
        expect(
          loaded.filter((m) => HEAVY.test(m)),
          `${job} ${args.join(' ')}`,
        ).to.deep.equal([]);
      }
    });
  }
});
