import type { OperationName } from './tracer';

// `satisfies` makes the compiler list every OperationName here, so a new span name cannot be forgotten.
const NAMES = {
  'cache.read': true,
  'cache.write': true,
  'db.read': true,
  'db.write': true,
  'hybrid.query': true,
  'socket.join': true,
  'socket.send': true,
} as const satisfies Record<OperationName, true>;

/** Every span name the monitor counts. */
export const OPERATION_NAMES = Object.freeze(Object.keys(NAMES) as OperationName[]);

const nameSet: ReadonlySet<string> = new Set(OPERATION_NAMES);

/** True for the names of our own spans; other spans (http, koa, ioredis, pg) are not counted. */
export function isOperationName(name: string): name is OperationName {
  return nameSet.has(name);
}

/** What `cache.read` found: the whole range, nothing, or part of it. */
export type CacheResult = 'hit' | 'miss' | 'partial';

export function isCacheResult(value: unknown): value is CacheResult {
  return value === 'hit' || value === 'miss' || value === 'partial';
}
