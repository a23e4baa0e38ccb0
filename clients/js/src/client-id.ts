/**
 * A random id for `client_id` (the server takes 1–64 of letters, digits, _ . : -). getRandomValues,
 * not randomUUID: browsers offer randomUUID only on https or localhost pages.
 */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return 'c-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
