import type { ChannelComparison, CompareReport, RepairReport } from './cache-compare';
import type {
  ChatReport,
  ClearPlan,
  ListReport,
  MessageLine,
  MessageLookup,
  ReactionLine,
  StatsReport,
  WindowReport,
} from './inspect-reports';
import type { EngineInfo } from './ops-context';
import { clip, formatBytes, formatCents, formatDuration, formatTime, formatTtl, table } from './format';
import type { Style } from './style';
import type { MonitorTick } from './window-monitor';

// Text renderers of `inspect`: one function per report, each returning lines. `--json` prints the
// reports themselves instead.

export function engineLines(r: EngineInfo): string[] {
  return r.note ? [r.note] : [`cache engine: ${r.target}`];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `inspect --list`'s default pattern (keys.chatPattern). */
const DEFAULT_LIST_PATTERN = 'chat:{*}:*';

export function renderList(r: ListReport, s: Style): string[] {
  const lines = engineLines(r);
  if (!r.keys.length) return [...lines, r.pattern === DEFAULT_LIST_PATTERN ? 'no chat keys cached' : `no keys match ${r.pattern}`];
  const bytes = (n: number | null | undefined) => (n === null || n === undefined ? '—' : formatBytes(n));
  const idle = (n: number | null | undefined) => (n === null || n === undefined ? '—' : formatDuration(n));
  const rows = r.keys.map((k) => [k.key, k.type, String(k.count), formatTtl(k.ttl_seconds), bytes(k.memory_bytes), idle(k.idle_seconds)]);
  lines.push(...table(['KEY', 'TYPE', 'COUNT', 'TTL', 'MEMORY', 'IDLE'], rows).map((l, i) => (i === 0 ? s.bold(l) : l)));
  const shown = r.totals.shown < r.totals.keys ? `${r.totals.shown} of ` : '';
  const order = r.sort === 'key' ? '' : `, ${r.sort === 'size' ? 'largest' : r.sort === 'memory' ? 'most memory' : 'longest idle'} first`;
  lines.push(`${shown}${plural(r.totals.keys, 'key')} matching ${r.pattern} in ${plural(r.totals.chats, 'chat')}${order}`);
  return lines;
}

function ttlRange(min: number | null, max: number | null): string {
  if (min === null || max === null) return '—';
  return min === max ? formatTtl(min) : `${formatTtl(min)} … ${formatTtl(max)}`;
}

export function renderStats(r: StatsReport, s: Style): string[] {
  const rows = [
    ['chats cached', String(r.chats_cached)],
    [
      'messages cached',
      `${r.messages_cached} (${plural(r.main_windows, 'main window')}, ${plural(r.backroom_caches, 'back-room cache')} with ${plural(r.backroom_messages, 'message')})`,
    ],
    ['pinned caches', `${r.pinned_caches} (${plural(r.pinned_messages, 'pin')})`],
    ['reaction caches', String(r.reaction_caches)],
    ['user-state keys', String(r.user_keys)],
    ['max per cache', `${r.max_per_cache.count} of ${r.max_per_cache.limit}${r.max_per_cache.key ? ` (${r.max_per_cache.key})` : ''}`],
    ['window TTL', `${ttlRange(r.ttl.min_seconds, r.ttl.max_seconds)} (configured ${formatDuration(r.ttl.configured_seconds)})`],
    ['repair queue', `${r.repair_waiting} waiting`],
    ['memory', r.memory ? `${r.memory.used_human} used (INFO)` : 'n/a (memory engine)'],
  ];
  const families = (r.memory?.families ?? []).map((f) => [
    `  ${f.family}`,
    `${f.bytes === null ? '—' : `${f.measured < f.keys ? '~' : ''}${formatBytes(f.bytes)}`} in ${plural(f.keys, 'key')}` +
      (f.measured < f.keys ? ` (${f.measured} sampled)` : ''),
  ]);
  // Their own block, so the long family names do not widen the totals' column.
  return [...engineLines(r), ...fields(rows, s), ...(families.length ? fields(families, s) : [])];
}

/** `label   value` lines with the labels aligned. */
export function fields(rows: string[][], s: Style): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([label, value]) => `${s.bold(label.padEnd(width))}  ${value}`);
}

function windowLine(label: string, w: WindowReport): string {
  if (!w.exists) return `${label}  ${w.key}  not cached${w.meta_last_seq !== null ? ` (meta last seq ${w.meta_last_seq})` : ''}`;
  const end = (e: WindowReport['oldest']) => (e ? `#${e.seq} ${formatTime(e.created_at)}` : '—');
  return (
    `${label}  ${w.key}  ${plural(w.count, 'message')}  TTL ${formatTtl(w.ttl_seconds)}  ` +
    `oldest ${end(w.oldest)}  newest ${end(w.newest)}  meta last seq ${w.meta_last_seq ?? '—'}`
  );
}

export function markers(m: Pick<MessageLine, 'verified' | 'host'>, s: Style): string {
  const out: string[] = [];
  if (m.verified) out.push(s.green(s.pick('VERIFIED ✓', 'VERIFIED')));
  if (m.host) out.push(s.yellow(s.pick('HOST 👑', 'HOST')));
  return out.join(' ');
}

export function messageLine(m: MessageLine, s: Style): string {
  const who = [m.username, markers(m, s)].filter(Boolean).join(' ');
  const pin =
    m.pin_amount_cents !== null
      ? `${s.pick('📌', 'PINNED')} ${formatCents(m.pin_amount_cents)}${m.is_pinned ? ` until ${formatTime(m.pinned_until)}` : ' (expired)'}  `
      : '';
  const content = m.deleted ? s.dim('(deleted)') : clip(m.content);
  return `  #${m.seq}  ${formatTime(m.created_at)}  ${who}  ${pin}${content}`;
}

function reactionLine(r: ReactionLine): string {
  const counts = Object.entries(r.counts)
    .map(([emoji, n]) => `${emoji} ${n}`)
    .join('  ');
  return `  ${r.seq !== null ? `#${r.seq}` : '#?'}  ${r.message_id}  ${counts}  (TTL ${formatTtl(r.ttl_seconds)})`;
}

export function renderChat(r: ChatReport, s: Style): string[] {
  const c = r.chat;
  const lines = [
    c
      ? s.bold(`chat ${r.code} "${c.name}" (${c.kind})`) +
        `  last seq main ${c.last_seq_main}, back room ${c.last_seq_backroom}, version ${c.version}, last message ${formatTime(c.last_message_at)}`
      : s.bold(`chat ${r.code}`) + '  not in the database',
    ...engineLines(r),
    windowLine('main window', r.windows.main),
    windowLine('back room  ', r.windows.backroom),
  ];
  const p = r.pinned;
  lines.push(
    p.exists ? `pinned       ${p.key}  ${plural(p.count, 'pin')}  TTL ${formatTtl(p.ttl_seconds)}` : `pinned       ${p.key}  not cached`,
  );
  for (const pin of p.pins)
    lines.push(`  #${pin.seq}  ${pin.username}  ${formatCents(pin.amount_cents)}  until ${formatTime(pin.pinned_until)}`);
  lines.push(
    `reactions    ${plural(r.reactions.caches, 'cache')}${r.reactions.caches ? `  TTL ${ttlRange(r.reactions.ttl_min_seconds, r.reactions.ttl_max_seconds)}` : ''}`,
  );
  if (r.messages) {
    lines.push('', s.bold(`newest ${plural(r.messages.length, 'message')} (main window, newest first):`));
    lines.push(...(r.messages.length ? r.messages.map((m) => messageLine(m, s)) : ['  (none cached)']));
  }
  if (r.reaction_details) {
    lines.push('', s.bold(`reactions (${plural(r.reaction_details.length, 'message')}, newest first):`));
    lines.push(...(r.reaction_details.length ? r.reaction_details.map(reactionLine) : ['  (none cached)']));
  }
  return lines;
}

const channelLabel = (c: ChannelComparison) => (c.channel === 'main' ? 'main window' : 'back room');

function comparisonLines(c: ChannelComparison, s: Style): string[] {
  const latest = (e: { seq: number; id: string; created_at: string } | null) => (e ? `#${e.seq} ${e.id} ${formatTime(e.created_at)}` : '—');
  const status =
    c.status === 'in_sync'
      ? s.green(s.pick('✅ IN SYNC', 'IN SYNC'))
      : c.status === 'not_cached'
        ? s.dim('NOT CACHED (reads go to the database)')
        : s.red(s.pick('❌ OUT OF SYNC', 'OUT OF SYNC'));
  const lines = [
    `${s.bold(channelLabel(c))}  ${c.key}  ${status}`,
    `  counts   cache ${c.cache.count}${c.cache.min_seq !== null ? ` (#${c.cache.min_seq}–#${c.cache.max_seq})` : ''}, database ${c.database.count}`,
    `  latest   cache ${latest(c.cache.latest)}`,
    `           database ${latest(c.database.latest)}`,
  ];
  if (c.checked) lines.push(`  checked  #${c.checked.from}–#${c.checked.to}`);
  if (c.meta_mismatch) lines.push(`  meta last seq ${c.cache.meta_last_seq}, database last seq ${c.database.last_seq}`);
  if (c.missing_head) {
    const h = c.missing_head;
    lines.push(`  missing head (${h.count}): #${h.from}–#${h.to}, in the database below the window's oldest #${c.cache.min_seq}`);
  }
  if (c.missing.length) {
    lines.push(`  missing in cache (${c.missing.length}):`);
    lines.push(...c.missing.slice(0, 50).map((m) => `    #${m.seq}  ${m.id}`));
  }
  if (c.extra.length) {
    lines.push(`  extra in cache (${c.extra.length}):`);
    lines.push(...c.extra.slice(0, 50).map((m) => `    #${m.seq}  ${m.id ?? '(unreadable)'}  ${m.reason.replace(/_/g, ' ')}`));
  }
  if (c.changed.length) {
    lines.push(`  content differs (${c.changed.length}):`);
    lines.push(
      ...c.changed
        .slice(0, 50)
        .map(
          (m) =>
            `    #${m.seq}  ${m.id}  ${m.fields.join(', ')}  (cache version ${m.cache_version ?? '?'}, database ${m.database_version})`,
        ),
    );
  }
  return lines;
}

export function renderCompare(r: CompareReport, s: Style): string[] {
  const lines = [s.bold(`compare chat ${r.code}: database vs cache`), ...engineLines(r)];
  if (!r.in_database) lines.push('the database has no such chat');
  for (const c of r.channels) lines.push(...comparisonLines(c, s));
  const hint = `\`inspect --chat ${r.code} --repair\` rebuilds the windows`;
  lines.push(
    r.in_sync
      ? s.green(s.pick('✅ in sync', 'result: in sync'))
      : s.red(s.pick(`❌ out of sync (exit 3); ${hint}`, `result: OUT OF SYNC (exit 3); ${hint}`)),
  );
  return lines;
}

export function renderRepair(r: RepairReport): string[] {
  const w = r.windows.map(
    (x) =>
      `${x.channel === 'main' ? 'main window' : 'back room'} ${plural(x.count, 'message')}${x.min_seq !== null ? ` (#${x.min_seq}–#${x.max_seq})` : ''}`,
  );
  return [...engineLines(r), `rebuilt chat ${r.code} from the database: ${w.join(', ')}, ${plural(r.pinned, 'active pin')}`];
}

export function renderMessage(r: MessageLookup): string[] {
  const lines = [`message ${r.id}`, ...engineLines(r)];
  const d = r.database;
  if (d.found) {
    lines.push(`database: found in chat ${d.chat_code}, ${d.channel} #${d.seq}, version ${d.version}`);
    lines.push(`  type ${d.message_type}, username ${d.username}, created ${formatTime(d.created_at)}${d.deleted ? ', deleted' : ''}`);
    lines.push(`  content: ${d.deleted ? '(deleted)' : JSON.stringify(d.content)}`);
  } else {
    lines.push('database: not found');
  }
  if (!r.cache.length) lines.push('cache: not in any cache key');
  for (const c of r.cache) {
    lines.push(`cache: ${c.key}${c.kind === 'reactions' ? '' : ` (score ${c.score})`}`);
    lines.push(`  ${c.entry}`);
  }
  return lines;
}

export function renderClearPlan(p: ClearPlan): string[] {
  const lines = engineLines(p);
  if (!p.keys.length) return [...lines, `nothing cached for chat ${p.code}`];
  lines.push(`will delete ${plural(p.keys.length, 'key')} of chat ${p.code}:`);
  lines.push(
    ...table(
      ['KEY', 'TYPE', 'COUNT', 'TTL'],
      p.keys.map((k) => [k.key, k.type, String(k.count), formatTtl(k.ttl_seconds)]),
    ).map((l) => `  ${l}`),
  );
  return lines;
}

export function renderCleared(p: ClearPlan): string[] {
  return [
    `deleted ${plural(p.keys.length, 'key')} of chat ${p.code}; its history stays whole (read from the database, the window is rebuilt on the next read)`,
  ];
}

export function renderTick(t: MonitorTick, s: Style): string {
  const time = t.at.slice(11, 19);
  if (t.error) return `${time}  ${t.key}  ${s.red(`cache error: ${t.error}`)}`;
  const marks: string[] = [];
  if (t.added) marks.push(s.green(`← NEW MESSAGE (+${t.added})`));
  if (t.deleted) marks.push(s.red(`← DELETED (-${t.deleted})`));
  if (t.gone) marks.push(s.yellow('← WINDOW GONE'));
  return `${time}  ${t.key}  ${plural(t.count, 'message')}  TTL ${formatTtl(t.ttl_seconds)}${marks.length ? '  ' + marks.join('  ') : ''}`;
}
