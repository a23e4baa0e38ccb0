import { keys } from '../cache';
import type { EngineInfo } from './ops-context';
import { classifyKey, type KeyStat } from './keyspace';
import { OpsError, causeText } from './ops-error';
import type { OpsContext } from './ops-context';

/** How many of the most recently active chats `--post-upgrade` warms. @default 100 */
export const HOT_CHATS = 100;
/** `--pre-upgrade` stops draining after this long even if pods keep queueing chats. @default 60000 */
export const DRAIN_LIMIT_MS = 60_000;

export interface CacheStatsReport extends EngineInfo {
  chat_keys: {
    total: number;
    chats: number;
    windows: number;
    backroom: number;
    meta: number;
    pinned: number;
    reactions: number;
    /** presence sets (`chat:{CODE}:online`), one per chat with live connections */
    presence: number;
    messages: number | null;
    /** live connections the presence sets hold (null when members were not counted) */
    connections: number | null;
  };
  /** per-user cached state, by what it holds (profile, unread, presence, …) */
  user_state: { keys: number; users: number; by_kind: Record<string, number> };
  memory: {
    used_bytes: number;
    used_human: string;
    peak_bytes: number | null;
    max_bytes: number | null;
    policy: string | null;
    nodes: { node: string; used_bytes: number }[];
  } | null;
  /**
   * The shared repair queue. `waiting` is its depth in Redis; `active` and `failed` are counted by
   * each pod in its own process (GET /cache/stats on a pod), so from a job they are 0.
   */
  repair_queue: { waiting: number; active: number; failed: number };
}

export interface ClearAllPlan extends EngineInfo {
  chat_keys: number;
  user_keys: number;
  queue_waiting: number;
  clear_queue: boolean;
}

export interface ClearAllResult extends ClearAllPlan {
  deleted: { chat_keys: number; user_keys: number; queue: boolean };
}

export interface OldPlan extends EngineInfo {
  hours: number;
  /** chats whose every key is idle longer than `hours` */
  chats: { code: string; idle_seconds: number; keys: string[] }[];
  user_keys: { key: string; idle_seconds: number }[];
  /** keys whose idle time the engine cannot tell (memory engine, or an LFU maxmemory-policy) */
  unknown_idle: number;
  kept: { chats: number; user_keys: number };
}

export interface OldResult extends OldPlan {
  deleted: { chat_keys: number; user_keys: number };
}

export interface UserPlan extends EngineInfo {
  user_id: string;
  /** the account name, whose name lookup (`user:{@name}:id`) is deleted with the user's state */
  username: string;
  keys: { key: string; what: string; ttl_seconds: number }[];
}

export interface UpgradeReport extends EngineInfo {
  hook: 'pre-upgrade' | 'post-upgrade';
  rebuilt: string[];
  /** queued chats the database does not know (dropped from the queue) */
  skipped: string[];
  failed: { code: string; error: string }[];
  /** pre-upgrade: what is left in the queue; user state is always kept */
  queue_waiting: number;
  user_keys_kept: number;
}

export interface MaintenanceReport {
  job: 'maintenance';
  at: string;
  engine: string;
  note?: string;
  hours: number;
  cleared: { chats: number; chat_keys: number; user_keys: number };
  unknown_idle: number;
  stats: Pick<CacheStatsReport, 'chat_keys' | 'user_state' | 'repair_queue'> & { memory_used_bytes: number | null };
  duration_ms: number;
}

/** Logic of `clear-cache`: cache-wide statistics, clean-ups and the deploy hooks. */
export class CacheMaintenance {
  constructor(private readonly ctx: OpsContext) {}

  engineInfo(): Promise<EngineInfo> {
    return this.ctx.engineInfo();
  }

  /**
   * `members: false` counts keys by their names only (messages: null). Reading a window's size
   * (ZCARD) marks it as used on Redis before 7.2, so the daily maintenance, which reports after it
   * clears, would otherwise keep every chat it reports fresh for `old` for good.
   */
  async stats(opts: { members?: boolean } = {}): Promise<CacheStatsReport> {
    const ks = await this.ctx.keyspace();
    const engine = await this.ctx.cache();
    const members = opts.members ?? true;
    const [chatStats, userKeys, memory, waiting] = await Promise.all([
      ks.scan(keys.chatPattern).then((k) => (members ? ks.stat(k) : k.map((key) => ({ ...classifyKey(key), count: 0 })))),
      ks.scan(keys.userPattern),
      ks.memory(),
      engine.repairDepth(),
    ]);
    const count = (kind: string) => chatStats.filter((s) => s.kind === kind);
    const byKind: Record<string, number> = {};
    const users = new Set<string>();
    for (const key of userKeys) {
      const ref = classifyKey(key);
      byKind[ref.what ?? '?'] = (byKind[ref.what ?? '?'] ?? 0) + 1;
      if (ref.userId) users.add(ref.userId);
    }
    const windows = [...count('messages'), ...count('backroom')];
    return {
      ...(await this.engineInfo()),
      chat_keys: {
        total: chatStats.length,
        chats: new Set(chatStats.map((s) => s.chat)).size,
        windows: count('messages').length,
        backroom: count('backroom').length,
        meta: count('meta').length,
        pinned: count('pinned').length,
        reactions: count('reactions').length,
        presence: count('online').length,
        messages: members ? windows.reduce((a, s) => a + s.count, 0) : null,
        connections: members ? count('online').reduce((a, s) => a + s.count, 0) : null,
      },
      user_state: { keys: userKeys.length, users: users.size, by_kind: byKind },
      memory: memory && {
        used_bytes: memory.usedBytes,
        used_human: memory.usedHuman,
        peak_bytes: memory.peakBytes,
        max_bytes: memory.maxBytes,
        policy: memory.policy,
        nodes: memory.nodes.map((n) => ({ node: n.node, used_bytes: n.usedBytes })),
      },
      repair_queue: { waiting, active: 0, failed: 0 },
    };
  }

  async planAll(clearQueue: boolean): Promise<ClearAllPlan> {
    const ks = await this.ctx.keyspace();
    const engine = await this.ctx.cache();
    const [chatKeys, userKeys, waiting] = await Promise.all([ks.scan(keys.chatPattern), ks.scan(keys.userPattern), engine.repairDepth()]);
    return {
      ...(await this.engineInfo()),
      chat_keys: chatKeys.length,
      user_keys: userKeys.length,
      queue_waiting: waiting,
      clear_queue: clearQueue,
    };
  }

  /** Deletes every chat and user key (scanned again, so keys written since the plan go too). */
  async clearAll(plan: ClearAllPlan): Promise<ClearAllResult> {
    const ks = await this.ctx.keyspace();
    const [chatKeys, userKeys] = await Promise.all([ks.scan(keys.chatPattern), ks.scan(keys.userPattern)]);
    const deleted = { chat_keys: await ks.delete(chatKeys), user_keys: await ks.delete(userKeys), queue: false };
    if (plan.clear_queue) {
      const engine = await this.ctx.cache();
      // The memory engine keeps its queue outside the keyspace; popping empties either.
      await ks.delete([keys.repairQueue]);
      while ((await engine.popRepair(500)).length);
      deleted.queue = true;
    }
    return { ...plan, deleted };
  }

  /** Chats and user states nobody has read or written for longer than `hours` (OBJECT IDLETIME). */
  async planOld(hours: number): Promise<OldPlan> {
    const ks = await this.ctx.keyspace();
    const limit = hours * 3600;
    const [chatKeys, userKeys] = await Promise.all([ks.scan(keys.chatPattern), ks.scan(keys.userPattern)]);
    const [chatIdle, userIdle] = await Promise.all([ks.idleSeconds(chatKeys), ks.idleSeconds(userKeys)]);
    let unknown = 0;
    const perChat = new Map<string, { keys: string[]; idle: number | null }>();
    chatKeys.forEach((key, i) => {
      const code = classifyKey(key).chat!;
      const entry = perChat.get(code) ?? { keys: [], idle: Infinity };
      entry.keys.push(key);
      const idle = chatIdle[i];
      if (idle === null) unknown++;
      // A chat is as fresh as its freshest key; unknown idle time keeps the chat.
      entry.idle = idle === null || entry.idle === null ? null : Math.min(entry.idle, idle);
      perChat.set(code, entry);
    });
    const chats = [...perChat]
      .filter(([, e]) => e.idle !== null && e.idle >= limit)
      .map(([code, e]) => ({
        code,
        idle_seconds: e.idle!,
        keys: e.keys.sort(),
      }));
    const users = userKeys.flatMap((key, i) => {
      const idle = userIdle[i];
      if (idle === null) unknown++;
      return idle !== null && idle >= limit ? [{ key, idle_seconds: idle }] : [];
    });
    return {
      ...(await this.engineInfo()),
      hours,
      chats: chats.sort((a, b) => a.code.localeCompare(b.code)),
      user_keys: users.sort((a, b) => a.key.localeCompare(b.key)),
      unknown_idle: unknown,
      kept: { chats: perChat.size - chats.length, user_keys: userKeys.length - users.length },
    };
  }

  async clearOld(plan: OldPlan): Promise<OldResult> {
    const ks = await this.ctx.keyspace();
    const chatKeys = await ks.delete(plan.chats.flatMap((c) => c.keys));
    const userKeys = await ks.delete(plan.user_keys.map((u) => u.key));
    return { ...plan, deleted: { chat_keys: chatKeys, user_keys: userKeys } };
  }

  /**
   * The keys of one registered user, given its id or `@username`: its state lives under its id
   * (`user:{ID}:…`, cached by any read of the user) and its name lookup under `user:{@name}:id`
   * (cached only when someone looked the name up), so both are scanned. A user the database does
   * not know is an error (exit 1), not an empty plan.
   */
  async planUser(idOrName: string): Promise<UserPlan> {
    const services = await this.ctx.services();
    const { findUser } = await import('./chat-database');
    const user = await findUser(services, idOrName);
    if (!user) {
      const who = idOrName.startsWith('@') ? `named ${idOrName.slice(1)}` : `with id ${idOrName}`;
      throw new OpsError(`no user ${who} in the database (${this.ctx.describeDatabase()})`);
    }
    const ks = await this.ctx.keyspace();
    // users/cache-entries.ts usernameOwner: the owner of a name lookup is `@` + the lower-cased name.
    const owners = [user.id, `@${user.username.toLowerCase()}`];
    const names = (await Promise.all(owners.map((o) => ks.scan(keys.user(o, '*'))))).flat();
    const stats: KeyStat[] = await ks.stat(names);
    return {
      ...(await this.engineInfo()),
      user_id: user.id,
      username: user.username,
      keys: stats.map((s) => ({ key: s.key, what: s.what ?? '', ttl_seconds: s.ttlSeconds })).sort((a, b) => a.key.localeCompare(b.key)),
    };
  }

  async clearUser(plan: UserPlan): Promise<number> {
    const ks = await this.ctx.keyspace();
    return ks.delete(plan.keys.map((k) => k.key));
  }

  /** The CronJob's run: clear what is idle longer than `hours`, then report, as one JSON document. */
  async maintenance(hours: number, started = Date.now()): Promise<MaintenanceReport> {
    const plan = await this.planOld(hours);
    const done = await this.clearOld(plan);
    const stats = await this.stats({ members: false });
    return {
      job: 'maintenance',
      at: new Date().toISOString(),
      engine: this.ctx.describeCache(),
      ...(stats.note ? { note: stats.note } : {}),
      hours,
      cleared: { chats: plan.chats.length, chat_keys: done.deleted.chat_keys, user_keys: done.deleted.user_keys },
      unknown_idle: plan.unknown_idle,
      stats: {
        chat_keys: stats.chat_keys,
        user_state: stats.user_state,
        repair_queue: stats.repair_queue,
        memory_used_bytes: stats.memory?.used_bytes ?? null,
      },
      duration_ms: Date.now() - started,
    };
  }

  /**
   * Before a deploy: rebuild every chat waiting in the shared repair queue (as the pods would),
   * so the new pods start with a queue that is empty; user state is left alone.
   */
  async preUpgrade(): Promise<UpgradeReport> {
    const engine = await this.ctx.cache();
    const report = await this.upgradeReport('pre-upgrade');
    if (engine.kind === 'memory') return report;
    const { rebuilder } = await this.ctx.services();
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    const retry: string[] = [];
    while (Date.now() < deadline) {
      const batch = await engine.popRepair(20);
      if (!batch.length) break;
      await Promise.all(batch.map((code) => this.rebuildOne(report, code, () => rebuilder.rebuild(code), retry)));
    }
    // Failures go back for the pods (or the next run) to retry.
    await engine.pushRepair(retry);
    report.queue_waiting = await engine.repairDepth();
    return report;
  }

  /** After a deploy: rebuild the windows of the most recently active chats, replacing what is cached. */
  async postUpgrade(top = HOT_CHATS): Promise<UpgradeReport> {
    const engine = await this.ctx.cache();
    const report = await this.upgradeReport('post-upgrade');
    if (engine.kind === 'memory') return report;
    const services = await this.ctx.services();
    const { hotChats } = await import('./chat-database');
    const codes = await hotChats(services, top);
    for (let i = 0; i < codes.length; i += 8) {
      await Promise.all(codes.slice(i, i + 8).map((code) => this.rebuildOne(report, code, () => services.rebuilder.rebuild(code, true))));
    }
    report.queue_waiting = await engine.repairDepth();
    return report;
  }

  private async upgradeReport(hook: UpgradeReport['hook']): Promise<UpgradeReport> {
    const ks = await this.ctx.keyspace();
    const engine = await this.ctx.cache();
    const [userKeys, waiting] = await Promise.all([ks.scan(keys.userPattern), engine.repairDepth()]);
    return {
      ...(await this.engineInfo()),
      hook,
      rebuilt: [],
      skipped: [],
      failed: [],
      queue_waiting: waiting,
      user_keys_kept: userKeys.length,
    };
  }

  private async rebuildOne(report: UpgradeReport, code: string, rebuild: () => Promise<void>, retry?: string[]) {
    try {
      await rebuild();
      report.rebuilt.push(code);
    } catch (err) {
      if ((err as { code?: string }).code === 'not_found') report.skipped.push(code);
      else {
        report.failed.push({ code, error: causeText(err) });
        retry?.push(code);
      }
    }
  }
}
