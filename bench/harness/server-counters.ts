// What one ChatPop send costs downstream, counted by the servers themselves: PostgreSQL write
// transactions per stored message (transaction ids handed out; pg_stat_* lag by up to 10 s),
// Redis commands per message by command (INFO commandstats). Snapshots around the send section,
// divided by the messages it stored.
import Redis from 'ioredis';
import { Client } from 'pg';

interface Snapshot {
  messages: number;
  nextXid: number;
  redis: Record<string, number>;
}

export interface SendCost {
  messages: number;
  /** transactions that wrote something (each takes a transaction id) */
  pg_write_transactions_per_message: number;
  redis_commands_per_message: number;
  /** Redis command → calls per message, largest first */
  redis_by_command: Record<string, number>;
}

export class ServerCounters {
  constructor(
    private readonly databaseUrl: string,
    private readonly redisPort: number,
  ) {}

  async snapshot(): Promise<Snapshot> {
    const pg = new Client({ connectionString: this.databaseUrl });
    const redis = new Redis({ port: this.redisPort, host: '127.0.0.1', lazyConnect: true });
    await Promise.all([pg.connect(), redis.connect()]);
    try {
      // The snapshot's xmax is the next transaction id, read without taking one.
      const { rows } = await pg.query(
        'select (select count(*) from messages)::bigint as messages, pg_snapshot_xmax(pg_current_snapshot())::text::bigint as next_xid',
      );
      const info = (await redis.info('commandstats')) as string;
      const calls: Record<string, number> = {};
      for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
      return { messages: Number(rows[0].messages), nextXid: Number(rows[0].next_xid), redis: calls };
    } finally {
      await pg.end();
      redis.disconnect();
    }
  }

  static cost(a: Snapshot, b: Snapshot): SendCost {
    const messages = b.messages - a.messages;
    const per = (v: number) => (messages > 0 ? Math.round((v / messages) * 1000) / 1000 : NaN);
    const byCommand: [string, number][] = [];
    let total = 0;
    for (const [cmd, calls] of Object.entries(b.redis)) {
      const d = calls - (a.redis[cmd] ?? 0);
      // INFO itself and the snapshot's own connection setup are ours, not the server's.
      if (d <= 0 || cmd === 'info' || cmd === 'client|setinfo' || cmd === 'select') continue;
      total += d;
      byCommand.push([cmd, per(d)]);
    }
    return {
      messages,
      pg_write_transactions_per_message: per(b.nextXid - a.nextXid),
      redis_commands_per_message: per(total),
      redis_by_command: Object.fromEntries(byCommand.sort((x, y) => y[1] - x[1])),
    };
  }
}
