// Loaded by the main mocha process only (.mocharc.json "require"), once per run: the parallel
// workers are forked after this setup and inherit the PostgreSQL server it starts, instead of each
// starting its own (or, as root hooks run per file in a worker, one per file).
import { cleanupAll } from './child-processes';
import { startRunPostgres, stopPostgres } from './postgres';

export async function mochaGlobalSetup(): Promise<void> {
  await startRunPostgres();
}

export async function mochaGlobalTeardown(): Promise<void> {
  try {
    await stopPostgres();
  } finally {
    await cleanupAll();
  }
}
