// Loaded by mocha before every run (.mocharc.json "require"): fails the run on unhandled
// rejections and takes down every server the harness started. In parallel mode these root
// hooks run in each worker, once per test file.
import { inspect } from 'node:util';
import { contractViolations } from './api-contract';
import { cleanupAll } from './child-processes';
import { stopPostgres } from './postgres';

// Mocha itself swallows rejections from test code, so a forgotten `await` would pass silently.
const unhandled: unknown[] = [];
// Mocha re-emits each rejection it sees, so the same promise can reach us twice.
const seen = new WeakSet<Promise<unknown>>();
function onUnhandledRejection(reason: unknown, promise: Promise<unknown>): void {
  if (seen.has(promise)) return;
  seen.add(promise);
  unhandled.push(reason);
  console.error('Unhandled rejection:', reason);
}

// A parallel worker removes every 'unhandledRejection' listener after each file, so each file
// listens again.
function listenForUnhandled(): void {
  if (!process.listeners('unhandledRejection').includes(onUnhandledRejection)) process.on('unhandledRejection', onUnhandledRejection);
}
listenForUnhandled();

function throwIfUnhandled(): void {
  const reasons = unhandled.splice(0);
  if (reasons.length === 0) return;
  const details = reasons.map((r) => inspect(r)).join('\n');
  throw new Error(`${reasons.length} unhandled rejection(s) since the last check:\n${details}`, { cause: reasons[0] });
}

export const mochaHooks = {
  beforeAll(): void {
    listenForUnhandled();
  },
  afterEach(): void {
    throwIfUnhandled();
    // socket payloads that did not match /api/asyncapi.json (test/support/api-contract.ts)
    const violations = contractViolations.splice(0);
    if (violations.length)
      throw new Error(`${violations.length} socket payload(s) not as described:\n${[...new Set(violations)].join('\n')}`);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    // Stopping a file's PostgreSQL clusters and servers takes seconds, more on a loaded machine
    // (helpers saw the default 20 s run out at a load average of ~20).
    this.timeout(60_000);
    try {
      await stopPostgres();
      await cleanupAll();
    } finally {
      throwIfUnhandled();
    }
  },
};
