/**
 * The template functions a chart may call: Go's builtins and the Sprig/Helm functions this
 * repository's chart uses (plus a few close relatives), with Go's argument types enforced.
 * `and`, `or` and `include` need the executor and live there.
 */
import { createHash, randomInt } from 'node:crypto';
import { formatValue, goJson, goQuote, goYaml, isMap } from './go-format';

export type TemplateFunction = (...args: unknown[]) => unknown;

/** Go's type name of a value, for error messages. */
export function goType(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  return typeof v;
}

/** text/template's truth: false, 0, nil and empty strings, lists and maps are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true; // structs and methods
}

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new Error(`wrong type for value; expected string; got ${goType(v)}`);
  return v;
};
const int = (v: unknown): number => {
  if (typeof v !== 'bigint') throw new Error(`wrong type for value; expected int; got ${goType(v)}`);
  return Number(v);
};
const arity = (name: string, args: unknown[], min: number, max = min) => {
  if (args.length < min || args.length > max) throw new Error(`wrong number of args for ${name}: want ${min}, got ${args.length}`);
};

/** Sprig's strval: strings as they are, everything else as fmt's %v. */
const strval = (v: unknown): string => (typeof v === 'string' ? v : formatValue(v));

/** Sprig's empty: nil, false, 0 and empty strings, lists and maps. */
const empty = (v: unknown): boolean => !isTrue(v);

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** fmt.Sprintf for the verbs %s %d %v %q %%; anything else throws. */
function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  const out = format.replace(/%([-+# 0]*\d*(?:\.\d+)?)?([a-zA-Z%])/g, (whole, flags: string | undefined, verb: string) => {
    if (verb === '%' && !flags) return '%';
    if (flags) throw new Error(`printf: ${whole} (flags and widths are outside the supported subset)`);
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    if (verb === 'v') return formatValue(a);
    if (verb === 's' && typeof a === 'string') return a;
    if (verb === 'd' && typeof a === 'bigint') return a.toString();
    if (verb === 'q' && typeof a === 'string') return goQuote(a);
    throw new Error(`printf: %${verb} of a ${goType(a)} is outside the supported subset`);
  });
  if (n < args.length) throw new Error(`printf: ${args.length - n} extra argument(s) for "${format}"`);
  return out;
}

type Kind = 'bool' | 'int' | 'float' | 'string';
function basicKind(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  throw new Error(`invalid type for comparison: ${goType(v)}`);
}

function eq(a: unknown, ...others: unknown[]): boolean {
  if (!others.length) throw new Error('missing argument for comparison');
  for (const b of others) {
    const aNil = a === undefined || a === null;
    const bNil = b === undefined || b === null;
    if (aNil || bNil) {
      if (aNil && bNil) return true;
      continue;
    }
    if (basicKind(a) !== basicKind(b)) throw new Error('incompatible types for comparison');
    if (a === b) return true;
  }
  return false;
}

function less(a: unknown, b: unknown): boolean {
  const k = basicKind(a);
  if (k !== basicKind(b)) throw new Error('incompatible types for comparison');
  if (k === 'bool') throw new Error('invalid type for comparison');
  return (a as string) < (b as string);
}

function toInt(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return /^[-+]?\d+$/.test(v.trim()) ? BigInt(v.trim()) : 0n;
  throw new Error(`int: cannot convert a ${goType(v)}`);
}

function indentText(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.split('\n').join(`\n${pad}`);
}

/** Helm's `lookup` as `helm template` and `--dry-run` see it: no cluster, an empty map. */
const lookup = (...args: unknown[]) => {
  arity('lookup', args, 4);
  args.forEach(str);
  return {};
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const FUNCTIONS: Record<string, TemplateFunction> = {
  // Go's builtins
  not: (...a) => (arity('not', a, 1), !isTrue(a[0])),
  eq,
  ne: (...a) => (arity('ne', a, 2), !eq(a[0], a[1])),
  lt: (...a) => (arity('lt', a, 2), less(a[0], a[1])),
  le: (...a) => (arity('le', a, 2), less(a[0], a[1]) || eq(a[0], a[1])),
  gt: (...a) => (arity('gt', a, 2), !less(a[0], a[1]) && !eq(a[0], a[1])),
  ge: (...a) => (arity('ge', a, 2), !less(a[0], a[1])),
  len: (...a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return BigInt(utf8(v).length);
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new Error(`len of ${goType(v)}`);
  },
  index: (item, ...keys) => {
    let cur = item;
    for (const k of keys) {
      if (cur === undefined || cur === null) throw new Error('index of untyped nil');
      if (isMap(cur)) cur = Object.prototype.hasOwnProperty.call(cur, str(k)) ? cur[k as string] : undefined;
      else if (Array.isArray(cur)) {
        const i = int(k);
        if (i < 0 || i >= cur.length) throw new Error(`index out of range: ${i}`);
        cur = cur[i];
      } else throw new Error(`can't index item of type ${goType(cur)}`);
    }
    return cur;
  },
  print: (...a) => a.map((v, i) => (i > 0 && typeof v !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + formatValue(v)).join(''),
  printf: (format, ...a) => sprintf(str(format), a),
  // Sprig and Helm
  default: (d, ...given) => (given.length === 0 || empty(given[0]) ? d : given[0]),
  empty: (v: unknown) => empty(v),
  required: (msg, v) => {
    if (v === undefined || v === null || v === '') throw new Error(str(msg));
    return v;
  },
  fail: (msg) => {
    throw new Error(str(msg));
  },
  quote: (...a) =>
    a
      .filter((v) => v !== undefined && v !== null)
      .map((v) => goQuote(strval(v)))
      .join(' '),
  toString: (v: unknown) => strval(v),
  int: (...a) => (arity('int', a, 1), toInt(a[0])),
  trunc: (c, s) => {
    const n = int(c);
    const b = utf8(str(s));
    if (n < 0 && b.length + n > 0) return b.subarray(b.length + n).toString('utf8');
    if (n >= 0 && b.length > n) return b.subarray(0, n).toString('utf8');
    return s;
  },
  trimSuffix: (suffix, s) => (str(s).endsWith(str(suffix)) ? (s as string).slice(0, (s as string).length - (suffix as string).length) : s),
  trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? (s as string).slice((prefix as string).length) : s),
  trim: (s) => str(s).trim(),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (prefix, s) => str(s).startsWith(str(prefix)),
  hasSuffix: (suffix, s) => str(s).endsWith(str(suffix)),
  replace: (from, to, s) => str(s).split(str(from)).join(str(to)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  join: (sep, v) => {
    const items = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
    return items
      .filter((x) => x !== undefined && x !== null)
      .map(strval)
      .join(str(sep));
  },
  indent: (n, s) => indentText(int(n), str(s)),
  nindent: (n, s) => `\n${indentText(int(n), str(s))}`,
  toYaml: (v) => goYaml(v),
  toJson: (v) => goJson(v),
  sha256sum: (s) => createHash('sha256').update(str(s), 'utf8').digest('hex'),
  b64enc: (s) => utf8(str(s)).toString('base64'),
  b64dec: (s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str(s)) || (s as string).length % 4 !== 0) throw new Error(`b64dec: not base64: ${s as string}`);
    return Buffer.from(s as string, 'base64').toString('utf8');
  },
  randAlphaNum: (n) => Array.from({ length: int(n) }, () => ALNUM[randomInt(ALNUM.length)]).join(''),
  dict: (...a) => {
    const m: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) m[strval(a[i])] = i + 1 < a.length ? a[i + 1] : '';
    return m;
  },
  list: (...a) => a,
  hasKey: (m, k) => {
    if (!isMap(m)) throw new Error(`wrong type for value; expected map[string]interface {}; got ${goType(m)}`);
    return Object.prototype.hasOwnProperty.call(m, str(k));
  },
  lookup,
};
