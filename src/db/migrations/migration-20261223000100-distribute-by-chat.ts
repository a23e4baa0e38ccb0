import { Migration } from '@mikro-orm/migrations';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';

/** Tables copied to every node: small, read by every shard, or keyed by something other than a chat. */
export const REFERENCE_TABLES = ['users', 'settings', 'chat_codes'];
/** Tables split by chat, all in one colocation group (a chat's rows share a shard): [table, distribution column]. */
export const DISTRIBUTED_TABLES: [string, string][] = [
  ['chats', 'id'],
  ['participants', 'chat_id'],
  ['messages', 'chat_id'],
  ['reactions', 'chat_id'],
];

/**
 * Citus mode: on a database with Citus (its create_distributed_table function present), the chat
 * tables are distributed by chat, colocated with `chats`, and the rest made reference tables.
 * Anywhere else (one PostgreSQL, SQLite) it does nothing. Rows already there are moved by Citus.
 */
export class Migration20261223000100DistributeByChat extends Migration {
  override async up(): Promise<void> {
    if (!(await this.citus())) return;
    for (const table of REFERENCE_TABLES) this.addSql(`select create_reference_table('${table}')`);
    const [first] = DISTRIBUTED_TABLES[0];
    for (const [table, column] of DISTRIBUTED_TABLES) {
      this.addSql(`select create_distributed_table('${table}', '${column}'${table === first ? '' : `, colocate_with => '${first}'`})`);
    }
  }

  /** Back to tables of the coordinator alone (Citus copies the rows back). */
  override async down(): Promise<void> {
    if (!(await this.citus())) return;
    for (const [table] of [...DISTRIBUTED_TABLES].reverse()) this.addSql(`select undistribute_table('${table}')`);
    for (const table of REFERENCE_TABLES) this.addSql(`select undistribute_table('${table}')`);
  }

  private async citus(): Promise<boolean> {
    if (!(this.driver.getPlatform() instanceof PostgreSqlPlatform)) return false;
    const [row] = await this.execute(`select exists (select 1 from pg_proc where proname = 'create_distributed_table') as citus`);
    return row.citus === true;
  }
}
