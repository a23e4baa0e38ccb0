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

export function registerScripts(client: RedisClient): RedisClient & ScriptCommands {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const lua = readFileSync(join(__dirname, '..', 'lua', file), 'utf8');
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    client.defineCommand(name, { numberOfKeys, lua });
  }
  return client as RedisClient & ScriptCommands;
}
