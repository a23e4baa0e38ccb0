/** What the client reads of a token: its kind, name and expiry. */
export interface Claims {
  typ: 'user' | 'session';
  /** a user token's user id, a session token's participant id */
  sub?: string;
  username: string;
  /** a session token's chat */
  code?: string;
  /** seconds since the epoch */
  exp?: number;
}

/** A token's claims, unverified: the server verifies; the client only reads its kind and name. */
export function readClaims(token: string | undefined): Claims | undefined {
  const part = token?.split('.')[1];
  if (!part) return undefined;
  try {
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return undefined;
  }
}
