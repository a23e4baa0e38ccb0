/** Text helpers shared by the jobs' renderers; nothing here does I/O. */

/**
 * A duration for people: `23h 45m`, `6d 2h`, `12m 5s`, `42s`. Redis TTL answers are understood:
 * -1 → `no expiry`, -2 (or any other negative) → `missing`.
 */
export function formatTtl(seconds: number | null): string {
  if (seconds === null || seconds === -2) return 'missing';
  if (seconds === -1) return 'no expiry';
  if (seconds < 0) return 'missing';
  return formatDuration(seconds);
}

/** `6d 2h`, `23h 45m`, `12m 5s`, `42s`: the two largest units, the second omitted when zero. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  for (let i = 0; i < units.length; i++) {
    const [name, size] = units[i];
    if (s >= size || name === 's') {
      const major = Math.floor(s / size);
      const next = units[i + 1];
      if (!next) return `${major}${name}`;
      const minor = Math.floor((s % size) / next[1]);
      return minor ? `${major}${name} ${minor}${next[0]}` : `${major}${name}`;
    }
  }
  return `${s}s`;
}

/** `2026-11-23 11:23:05Z` from an ISO string or epoch ms; `—` when absent. */
export function formatTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** 500 → `$5.00` */
export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  return `$${(cents / 100).toFixed(2)}`;
}

/** 1536 → `1.5 KiB` */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Shortens one-line text for a table cell. */
export function clip(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : oneLine;
}

/** Left-aligned columns separated by two spaces; the last column is never padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  return all.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c] - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}

// C0 and C1 controls, DEL, and the bidirectional overrides and line separators that reorder or break
// what an operator reads: stored text can carry any of them (an OSC 52 clipboard write, a cursor move).
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** `text` with control characters written as escapes (`\x1b`, `\u202e`), so a terminal shows them instead of obeying them. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** A report with every string in it (keys too) made printable: what the text renderers are given. */
export function printableDoc<T>(doc: T): T {
  if (typeof doc === 'string') return printable(doc) as T;
  if (Array.isArray(doc)) return doc.map(printableDoc) as T;
  if (doc !== null && typeof doc === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(doc))) {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [printable(k), printableDoc(v)])) as T;
  }
  return doc;
}
