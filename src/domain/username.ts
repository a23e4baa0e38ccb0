import { rectifyConfusion } from 'unicode-confusables';

/** Longest username, in characters (code points), as typed and as compared. */
export const MAX_USERNAME_CHARS = 32;

/**
 * Names nobody may take, in a chat or as an account: they would pass for the service or its staff.
 * Compared by key and by confusable skeleton (so `ADMIN` and `аdmin` with a Cyrillic а are refused too).
 */
export const RESERVED_USERNAMES: readonly string[] = [
  'admin',
  'administrator',
  'chatpop',
  'help',
  'host',
  'mod',
  'moderator',
  'official',
  'owner',
  'root',
  'security',
  'staff',
  'support',
  'system',
];

/** Characters (code points), as PostgreSQL's varchar counts them. */
export const charCount = (s: string): number => [...s].length;

/** A name as shown: NFKC, so fullwidth `ａｌｉｃｅ` is `alice` and ligatures come apart. */
export const displayUsername = (name: string): string => name.normalize('NFKC');

/**
 * What names are compared and stored unique by: NFKC, case-folded (lower case), NFKC again, as
 * Unicode's NFKC_Casefold does. It may be longer than the name (`İ` folds to i + U+0307).
 */
export const usernameKey = (name: string): string => name.normalize('NFKC').toLowerCase().normalize('NFKC');

/** UTS #39 skeleton: two names with the same one look alike (`аlice` with a Cyrillic а and `alice`). */
export const skeleton = (name: string): string => rectifyConfusion(name.normalize('NFD')).normalize('NFD');

const RESERVED_KEYS = new Set(RESERVED_USERNAMES);
const RESERVED_SKELETONS = new Set(RESERVED_USERNAMES.map(skeleton));

/** True when `key` (a usernameKey) is one of the reserved staff words, or looks like one. */
export const isReservedUsername = (key: string): boolean => RESERVED_KEYS.has(key) || RESERVED_SKELETONS.has(skeleton(key));

// Scripts a letter may belong to (Script_Extensions); Han-based writing mixes its scripts by nature.
const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Tifinagh',
  'Coptic',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Han',
  'Bopomofo',
].map((name) => ({ name, re: new RegExp(`\\p{Script_Extensions=${name}}`, 'u') }));
const WRITING: Record<string, string[]> = {
  Han: ['Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};
const COMMON = /[\p{Script=Common}\p{Script=Inherited}]/u;

/**
 * True when the name's letters come from more than one script (UTS #39's resolved script set is
 * empty): `аlice` with a Cyrillic а is, `alice`, `алиса` and `山田たろう` are not. A letter of a
 * script not listed here counts as a script of its own.
 */
export function isMixedScript(name: string): boolean {
  let resolved: string[] | undefined;
  for (const ch of name) {
    if (COMMON.test(ch)) continue;
    const sets = SCRIPTS.filter((s) => s.re.test(ch)).flatMap((s) => WRITING[s.name] ?? [s.name]);
    const own = sets.length ? sets : [`other:${ch}`];
    resolved = resolved === undefined ? own : resolved.filter((s) => own.includes(s));
    if (resolved.length === 0) return true;
  }
  return false;
}
