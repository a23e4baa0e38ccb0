import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type ChatPopApp, type CreateAppOptions } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/logger';
import { createTestDatabase } from './postgres';
import { startRedis, type RedisHandle } from './redis-server';

/** The two ways ChatPop stores data: the embedded defaults and production's engines. */
export type StackName = 'sqlite+memory' | 'postgres+redis';
export const STACKS: StackName[] = ['sqlite+memory', 'postgres+redis'];

/** Storage for one test app: a fresh database (and Redis, where the stack has one). */
export interface Stack {
  name: StackName;
  env: Record<string, string>;
  redis?: RedisHandle;
  dispose(): Promise<void>;
}

export async function startStack(name: StackName): Promise<Stack> {
  if (name === 'sqlite+memory') {
    const dir = mkdtempSync(join(tmpdir(), 'chatpop-sqlite-'));
    return {
      name,
      env: { DATABASE_URL: `sqlite://${join(dir, 'chatpop.sqlite')}` },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const [db, redis] = await Promise.all([createTestDatabase(), startRedis()]);
  return {
    name,
    env: { DATABASE_URL: db.url, REDIS_URL: redis.url },
    redis,
    dispose: async () => {
      await redis.stop();
      await db.drop();
    },
  };
}

export const TEST_SECRET = 'test-session-secret-0123456789abcdef';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** An in-process app on a stack, listening on a free loopback port. */
export interface TestApp {
  app: ChatPopApp;
  base: string;
  stack: Stack;
  close(): Promise<void>;
}

/** `options` go to createApp as is (e.g. the monitor a test's telemetry feeds); `log` replaces the silent logger. */
export async function startTestApp(
  stack: Stack,
  env: Record<string, string> = {},
  options?: CreateAppOptions,
  log?: Logger,
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: TEST_SECRET,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...stack.env,
    ...env,
  });
  const app = await createApp(config, log, options);
  const base = await app.listen();
  return { app, base, stack, close: () => app.close() };
}

/** A test app on a fresh stack for one describe block: started in its `before`, stopped in its `after`. */
export function useTestApp(name: StackName, env: Record<string, string> = {}): () => TestApp {
  let t: TestApp | undefined;
  before(async () => {
    t = await startTestApp(await startStack(name), env);
  });
  after(async () => {
    await t?.close();
    await t?.stack.dispose();
  });
  return () => t!;
}

/** Two app instances on one PostgreSQL and one Redis, what two pods share, for the enclosing block. */
export function useTwoPods(env: Record<string, string> = {}): () => { podA: TestApp; podB: TestApp; stack: Stack } {
  let pods: { podA: TestApp; podB: TestApp; stack: Stack } | undefined;
  let stack: Stack | undefined;
  const started: TestApp[] = [];
  before(async () => {
    stack = await startStack('postgres+redis');
    for (let i = 0; i < 2; i++) started.push(await startTestApp(stack, env));
    pods = { podA: started[0], podB: started[1], stack };
  });
  after(async () => {
    for (const t of started) await t.close();
    await stack?.dispose();
  });
  return () => pods!;
}
