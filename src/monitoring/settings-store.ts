import type { RedisClient } from '../cache';
// The keys alone: the cache's index loads ioredis, and server.ts loads monitoring before telemetry instruments it.
// eslint-disable-next-line no-restricted-imports -- see above
import { keys } from '../cache/keys';
import type { Orm } from '../db';
// eslint-disable-next-line no-restricted-imports -- the db index loads the pg driver, not yet instrumented here
import { forkEm } from '../db/entity-manager';
import { Setting } from '../domain';

/** Run-time settings shared by every pod (`GET`/`PUT /admin/settings`). */
export interface SharedSettings {
  enable_monitoring: boolean;
}

/** Where the shared settings live: Redis when there is one, else the database. */
export interface SettingsStore {
  readonly kind: 'redis' | 'database';
  /** The settings written so far; one never written is absent (its default applies). */
  read(): Promise<Partial<SharedSettings>>;
  write(patch: Partial<SharedSettings>): Promise<void>;
}

/** Values are stored as JSON text, so a setting of another type needs no new column or key. */
function decode(entries: Iterable<[string, string]>): Partial<SharedSettings> {
  const out: Partial<SharedSettings> = {};
  for (const [name, text] of entries) {
    if (name !== 'enable_monitoring') continue; // a newer pod's setting: not ours to read
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'boolean') out.enable_monitoring = value;
    } catch {
      /* a damaged value counts as unset */
    }
  }
  return out;
}

const encode = (patch: Partial<SharedSettings>): [string, string][] =>
  Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => [name, JSON.stringify(value)]);

/** Settings in the `chatpop:settings` hash (setting → JSON). */
export class RedisSettingsStore implements SettingsStore {
  readonly kind = 'redis';

  constructor(private readonly client: RedisClient) {}

  async read(): Promise<Partial<SharedSettings>> {
    return decode(Object.entries(await this.client.hgetall(keys.settings)));
  }

  async write(patch: Partial<SharedSettings>): Promise<void> {
    const fields = encode(patch);
    if (fields.length) await this.client.hset(keys.settings, Object.fromEntries(fields));
  }
}

/** Settings in the `settings` table, one row per setting. */
export class DatabaseSettingsStore implements SettingsStore {
  readonly kind = 'database';

  constructor(private readonly orm: Orm) {}

  async read(): Promise<Partial<SharedSettings>> {
    const rows = await forkEm(this.orm).find(Setting, {});
    return decode(rows.map((r) => [r.name, r.value]));
  }

  async write(patch: Partial<SharedSettings>): Promise<void> {
    const em = forkEm(this.orm);
    for (const [name, value] of encode(patch)) await em.upsert(Setting, { name, value, updatedAt: new Date() });
  }
}
