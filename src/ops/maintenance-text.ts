import type { CacheStatsReport, ClearAllPlan, ClearAllResult, OldPlan, OldResult, UpgradeReport, UserPlan } from './cache-maintenance';
import { formatBytes, formatDuration, formatTtl, table } from './format';
import { engineLines, fields } from './inspect-text';
import type { PodsReport } from './k8s-status';
import type { Style } from './style';

// Text renderers of `clear-cache`; `--json` prints the reports themselves.

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function renderCacheStats(r: CacheStatsReport, s: Style): string[] {
  const c = r.chat_keys;
  const kinds = Object.entries(r.user_state.by_kind)
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const rows = [
    ['chat windows', `${c.windows} main, ${c.backroom} back room, ${c.messages} messages (${plural(c.chats, 'chat')})`],
    ['chat keys', `${c.total} (meta ${c.meta}, pinned ${c.pinned}, reactions ${c.reactions}, presence ${c.presence})`],
    ['presence', `${plural(c.presence, 'chat')} online${c.connections === null ? '' : `, ${plural(c.connections, 'connection')}`}`],
    ['user-state keys', `${r.user_state.keys} (${plural(r.user_state.users, 'user')}${kinds ? `; ${kinds}` : ''})`],
    [
      'memory',
      r.memory
        ? `${r.memory.used_human} used${r.memory.max_bytes ? ` of ${formatBytes(r.memory.max_bytes)}` : ''}${r.memory.policy ? `, policy ${r.memory.policy}` : ''}${r.memory.nodes.length > 1 ? ` over ${r.memory.nodes.length} masters` : ''}`
        : 'n/a (memory engine)',
    ],
    [
      'repair queue',
      `waiting ${r.repair_queue.waiting}, active ${r.repair_queue.active}, failed ${r.repair_queue.failed} (active/failed are per pod: GET /cache/stats)`,
    ],
  ];
  return [...engineLines(r), ...fields(rows, s)];
}

export function renderAllPlan(p: ClearAllPlan): string[] {
  return [
    ...engineLines(p),
    `will delete ${plural(p.chat_keys, 'chat key')} and ${plural(p.user_keys, 'user-state key')}` +
      (p.clear_queue
        ? ` and empty the repair queue (${p.queue_waiting} waiting)`
        : `; the repair queue (${p.queue_waiting} waiting) is kept`),
  ];
}

export function renderAllDone(r: ClearAllResult): string[] {
  return [
    `deleted ${plural(r.deleted.chat_keys, 'chat key')} and ${plural(r.deleted.user_keys, 'user-state key')}${r.deleted.queue ? '; repair queue emptied' : ''}`,
  ];
}

export function renderOldPlan(p: OldPlan): string[] {
  const lines = [...engineLines(p)];
  if (p.unknown_idle)
    lines.push(`${plural(p.unknown_idle, 'key')} with unknown idle time kept (the engine cannot tell how long they were idle)`);
  if (!p.chats.length && !p.user_keys.length) return [...lines, `nothing idle longer than ${formatDuration(p.hours * 3600)}`];
  lines.push(
    `idle longer than ${formatDuration(p.hours * 3600)}: ${plural(p.chats.length, 'chat')}, ${plural(p.user_keys.length, 'user-state key')}`,
  );
  for (const c of p.chats) lines.push(`  chat ${c.code}  idle ${formatDuration(c.idle_seconds)}  ${plural(c.keys.length, 'key')}`);
  for (const u of p.user_keys) lines.push(`  ${u.key}  idle ${formatDuration(u.idle_seconds)}`);
  lines.push(`kept: ${plural(p.kept.chats, 'chat')}, ${plural(p.kept.user_keys, 'user-state key')}`);
  return lines;
}

export function renderOldDone(r: OldResult): string[] {
  return [
    `deleted ${plural(r.deleted.chat_keys, 'chat key')} of ${plural(r.chats.length, 'idle chat')} and ${plural(r.deleted.user_keys, 'user-state key')}`,
  ];
}

export function renderUserPlan(p: UserPlan): string[] {
  if (!p.keys.length) return [...engineLines(p), `nothing cached for user ${p.user_id} (@${p.username})`];
  return [
    ...engineLines(p),
    `will delete ${plural(p.keys.length, 'key')} of user ${p.user_id} (@${p.username}):`,
    ...table(
      ['KEY', 'HOLDS', 'TTL'],
      p.keys.map((k) => [k.key, k.what, formatTtl(k.ttl_seconds)]),
    ).map((l) => `  ${l}`),
  ];
}

export function renderUpgrade(r: UpgradeReport): string[] {
  const lines = [...engineLines(r)];
  if (r.engine === 'memory') return [...lines, `${r.hook}: nothing to do; each server process keeps its own memory cache`];
  lines.push(
    r.hook === 'pre-upgrade'
      ? `pre-upgrade: drained the repair queue: rebuilt ${plural(r.rebuilt.length, 'chat')}, skipped ${r.skipped.length} unknown, ${r.failed.length} failed; ${r.queue_waiting} still waiting`
      : `post-upgrade: rebuilt the windows of ${plural(r.rebuilt.length, 'hot chat')}, ${r.failed.length} failed`,
  );
  for (const f of r.failed) lines.push(`  failed ${f.code}: ${f.error}`);
  lines.push(`user state kept (${plural(r.user_keys_kept, 'key')})`);
  return lines;
}

export function renderPods(r: PodsReport, s: Style): string[] {
  const lines = [`pods in namespace ${r.namespace} matching ${r.selector} (${r.source}, ${r.server})`];
  if (!r.pods.length) return [...lines, 'no pods found'];
  const rows = r.pods.map((p) => [
    p.name,
    p.phase,
    p.ready,
    String(p.restarts),
    p.age_seconds === null ? '—' : formatDuration(p.age_seconds),
    p.is_ready ? s.green(s.pick('✅ ready', 'ready')) : s.red(s.pick(`❌ ${p.reason ?? 'not ready'}`, p.reason ?? 'not ready')),
  ]);
  lines.push(...table(['NAME', 'PHASE', 'READY', 'RESTARTS', 'AGE', 'STATUS'], rows));
  lines.push(`${r.summary.ready}/${r.summary.total} pods ready, ${plural(r.summary.restarts, 'restart')}`);
  return lines;
}
