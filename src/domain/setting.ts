import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One run-time setting shared by every pod (e.g. `enable_monitoring`), as JSON text. Used only when
 * there is no Redis; with Redis the settings live in the `chatpop:settings` hash.
 */
@Entity({ tableName: 'settings' })
export class Setting {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  /** The value as JSON, e.g. `true`. */
  @Property({ type: 'text' })
  value!: string;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
