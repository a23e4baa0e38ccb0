import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './connection';

/** Lua scripts from ../lua, named `name-KEYS.lua`, registered as ioredis commands. */
const SCRIPTS = {
  chatpopUpsert: 'upsert-2.lua',
  chatpopReadWindow: 'read-window-2.lua',
  chatpopPin: 'pin-1.lua',
  chatpopWindowState: 'window-state-2.lua',
} as const;

export interface ScriptCommands {
  chatpopUpsert(window: string, meta: string, ...argv: (string | number)[]): Promise<number>;
  chatpopReadWindow(window: string, meta: string, ...argv: (string | number)[]): Promise<unknown[]>;
  chatpopPin(pinned: string, ...argv: (string | number)[]): Promise<number>;
  chatpopWindowState(window: string, meta: string, field: string): Promise<number[]>;
}

const LUA = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, file]) => [name, readFileSync(join(__dirname, '..', 'lua', file), 'utf8')]),
) as Record<keyof typeof SCRIPTS, string>;

/** Each script's SHA1, for a plain EVALSHA (see RedisEngine's window writes). */
export const SCRIPT_SHA = Object.fromEntries(
  Object.entries(LUA).map(([name, lua]) => [name, createHash('sha1').update(lua).digest('hex')]),
) as Record<keyof typeof SCRIPTS, string>;

/** Redis's answer to EVALSHA of a script it does not hold (restarted, SCRIPT FLUSH, a new node). */
export const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

export function registerScripts(client: RedisClient): RedisClient & ScriptCommands {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    client.defineCommand(name, { numberOfKeys, lua: LUA[name as keyof typeof SCRIPTS] });
  }
  return client as RedisClient & ScriptCommands;
}
