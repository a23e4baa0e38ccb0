/**
 * How Go prints the values a chart handles, as Helm does: JS numbers are Go's float64 (Helm reads
 * values through JSON), bigints are Go's int (template constants, `int`), plain objects are
 * map[string]interface{}. Formats outside what the chart needs throw instead of guessing.
 */

export type GoValue = unknown;

export class FormatError extends Error {}

export const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** strconv.FormatFloat(x, 'g', -1, 64): shortest digits, exponent form below 1e-4 or from 1e6 up (`1e+06`). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x); // JS prints plain decimals, shortest digits, in this range
}

/** fmt's %v (and text/template's output) for the value kinds a chart holds. */
export function formatValue(v: GoValue, nil = '<nil>'): string {
  if (v === undefined || v === null) return nil;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((e) => formatValue(e)).join(' ')}]`;
  if (isMap(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${formatValue(v[k])}`)
      .join(' ')}]`;
  throw new FormatError(`cannot print a ${typeof v}`);
}

/** strconv.Quote for the characters a chart's strings hold; other non-printables throw. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xad)
      throw new FormatError(`quote: character U+${c.toString(16)} is outside the supported subset`);
    else out += ch;
  }
  return `${out}"`;
}

/** encoding/json.Marshal: map keys sorted, HTML characters escaped as Go does. */
export function goJson(v: GoValue): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string')
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FormatError(`json: unsupported value ${v}`);
    return JSON.stringify(v); // same thresholds and exponent form as Go's float64 encoding
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isMap(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goJson(k)}:${goJson(v[k])}`)
      .join(',')}}`;
  throw new FormatError(`json: cannot marshal a ${typeof v}`);
}

// ---- YAML, as Helm's toYaml writes it: sigs.k8s.io/yaml (JSON, then go-yaml v2's emitter). ----

const YAML_NON_STRINGS = new Set(
  [
    '~ null Null NULL',
    'y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF',
    '.inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF .nan .NaN .NAN <<',
  ]
    .join(' ')
    .split(' '),
);
const YAML_NUMBER = [
  /^[-+]?[0-9][0-9_]*$/, // decimal (and legacy octal) ints, underscores allowed
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0o[0-7_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/, // float
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/, // base 60
  /^\d{4}-\d\d?-\d\d?$/, // a date (timestamps with a time: see readsAsNonString)
];

/** go-yaml's resolve: would the string, written plain, read back as something other than a string? */
function readsAsNonString(s: string): boolean {
  if (/^\d{4}-\d\d?-\d\d?[Tt ]/.test(s))
    throw new FormatError(`toYaml: ${JSON.stringify(s)} may read as a timestamp (outside the supported subset)`);
  return s === '' || YAML_NON_STRINGS.has(s) || YAML_NUMBER.some((re) => re.test(s));
}

/** libyaml's analysis: may the string be written plain in block context? */
function plainAllowed(s: string): boolean {
  if (s.startsWith('---') || s.startsWith('...')) return false;
  if (s.startsWith(' ') || s.endsWith(' ')) return false;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const next = chars[i + 1];
    const followedBySpace = next === undefined || next === ' ' || next === '\t';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) return false;
      if ((c === '?' || c === ':' || c === '-') && followedBySpace) return false;
    } else {
      if (c === ':' && followedBySpace) return false;
      if (c === '#' && (chars[i - 1] === ' ' || chars[i - 1] === '\t')) return false;
    }
  }
  return true;
}

const BEST_WIDTH = 80;

function scalar(s: string, column: number): string {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s))
    throw new FormatError(`toYaml: ${JSON.stringify(s)} holds a line break or control character (outside the supported subset)`);
  // go-yaml v2 folds long scalars at spaces past column 80: not reproduced here.
  if (s.includes(' ') && column + s.length + 2 > BEST_WIDTH)
    throw new FormatError(`toYaml: ${JSON.stringify(s)} would be folded at column ${BEST_WIDTH} (outside the supported subset)`);
  if (readsAsNonString(s)) return `"${s.replace(/[\\"]/g, '\\$&')}"`;
  if (plainAllowed(s)) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

function scalarOf(v: GoValue, column: number): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return scalar(v, column);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    // JSON writes integral floats as integers, which go-yaml reads back as ints.
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return JSON.stringify(v);
    return formatFloat(Number(JSON.stringify(v)));
  }
  throw new FormatError(`toYaml: cannot write a ${typeof v}`);
}

/** go-yaml v2's key order: numbers inside keys compare by value, non-letters before letters. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string) => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined) => c !== undefined && /[0-9]/.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

const sortedKeys = (m: Record<string, unknown>): string[] =>
  Object.keys(m).sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));

const isEmptyCollection = (v: unknown): boolean => (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);

function emitMap(m: Record<string, unknown>, indent: number, firstPrefix?: string): string[] {
  const lines: string[] = [];
  for (const key of sortedKeys(m)) {
    const pad = lines.length === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
    if ([...key].length > 128) throw new FormatError(`toYaml: key ${key} is longer than a simple key (outside the supported subset)`);
    const k = scalar(key, indent);
    const v = m[key];
    if (isMap(v) && !isEmptyCollection(v)) lines.push(`${pad}${k}:`, ...emitMap(v, indent + 2));
    else if (Array.isArray(v) && v.length) lines.push(`${pad}${k}:`, ...emitList(v, indent));
    else lines.push(`${pad}${k}: ${emitInline(v, indent + k.length + 2)}`);
  }
  return lines;
}

function emitList(list: unknown[], indent: number, firstPrefix?: string): string[] {
  const lines: string[] = [];
  for (const item of list) {
    const pad = lines.length === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
    const prefix = `${pad}- `;
    if (isMap(item) && !isEmptyCollection(item)) lines.push(...emitMap(item, indent + 2, prefix));
    else if (Array.isArray(item) && item.length) lines.push(...emitList(item, indent + 2, prefix));
    else lines.push(`${prefix}${emitInline(item, indent + 2)}`);
  }
  return lines;
}

const emitInline = (v: unknown, column: number): string => (Array.isArray(v) ? '[]' : isMap(v) ? '{}' : scalarOf(v, column));

/** Helm's toYaml: the YAML document without its final newline. */
export function goYaml(v: GoValue): string {
  if (v === undefined || v === null) return 'null';
  if (isMap(v)) return isEmptyCollection(v) ? '{}' : emitMap(v, 0).join('\n');
  if (Array.isArray(v)) return v.length ? emitList(v, 0).join('\n') : '[]';
  return scalarOf(v, 0);
}
