// Seeds chats through the REST API of an in-process app, the way clients fill the cache.
import Redis from 'ioredis';
import { ApiClient, guest, uniqueName } from '../support';

export interface SeededChat {
  code: string;
  host: ApiClient;
  hostName: string;
  /** a registered participant who is not the host */
  member: ApiClient;
  memberName: string;
  memberUser: ApiClient;
  guest: ApiClient;
  guestName: string;
  /** main-channel message ids by seq - 1 */
  ids: string[];
  backroomIds: string[];
  pinnedId: string | null;
  reactedId: string | null;
}

/** Two registered users shared by every chat seeded on one app (registration is rate-limited per address). */
export interface SeedUsers {
  host: { api: ApiClient; name: string; id: string };
  member: { api: ApiClient; name: string; id: string };
}

const usersByBase = new Map<string, Promise<SeedUsers>>();

/** The app's seed users, registered on first use. */
export function seedUsers(base: string): Promise<SeedUsers> {
  let users = usersByBase.get(base);
  if (!users) {
    users = (async () => ({ host: await registerUser(base), member: await registerUser(base) }))();
    usersByBase.set(base, users);
  }
  return users;
}

export interface SeedOptions {
  /** main messages, sent by host, member, guest in turn @default 6 */
  messages?: number;
  /** back-room messages by the host @default 1 */
  backroom?: number;
  /** pin message #1 for $5.00 @default true */
  pin?: boolean;
  /** 👍 ×2 and ❤️ ×1 on message #2 @default true */
  reactions?: boolean;
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function registerUser(base: string): Promise<{ api: ApiClient; name: string; id: string }> {
  const name = uniqueName('m');
  const reg = await ok(new ApiClient(base).post('/api/auth/register', { username: name, password: 'correct-horse-1' }), 'register');
  return { api: new ApiClient(base, reg.token), name, id: reg.user.id };
}

export async function seedChat(base: string, opts: SeedOptions = {}): Promise<SeededChat> {
  const { messages = 6, backroom = 1, pin = true, reactions = true } = opts;
  const { host: h, member: m } = await seedUsers(base);
  const chat = await ok(h.api.post('/api/chats', { name: 'Test room' }), 'create chat');
  const code: string = chat.code;
  const hostName = h.name;
  const host = new ApiClient(base, (await ok(h.api.post(`/api/chats/${code}/join`, { username: hostName }), 'host join')).session_token);
  const joined = await ok(m.api.post(`/api/chats/${code}/join`, { username: m.name }), 'member join');
  const member = new ApiClient(base, joined.session_token);
  const guestName = uniqueName('g');
  const g = await guest(base, code, guestName);
  const senders = [host, member, g];
  const ids: string[] = [];
  for (let i = 0; i < messages; i++)
    ids.push((await ok(senders[i % 3].post(`/api/chats/${code}/messages`, { content: `message ${i + 1}` }), 'send')).id);
  const backroomIds: string[] = [];
  for (let i = 0; i < backroom; i++)
    backroomIds.push(
      (await ok(host.post(`/api/chats/${code}/messages`, { content: `back room ${i + 1}`, channel: 'backroom' }), 'backroom send')).id,
    );
  let pinnedId: string | null = null;
  if (pin && ids.length) {
    await ok(host.post(`/api/chats/${code}/messages/${ids[0]}/pin`, { amount_cents: 500, duration_minutes: 60 }), 'pin');
    pinnedId = ids[0];
  }
  let reactedId: string | null = null;
  if (reactions && ids.length > 1) {
    reactedId = ids[1];
    await ok(g.post(`/api/chats/${code}/messages/${reactedId}/reactions`, { emoji: '👍' }), 'react');
    await ok(host.post(`/api/chats/${code}/messages/${reactedId}/reactions`, { emoji: '👍' }), 'react');
    await ok(member.post(`/api/chats/${code}/messages/${reactedId}/reactions`, { emoji: '❤️' }), 'react');
  }
  return {
    code,
    host,
    hostName,
    member,
    memberName: m.name,
    memberUser: m.api,
    guest: g,
    guestName,
    ids,
    backroomIds,
    pinnedId,
    reactedId,
  };
}

/** The window key names, as docs/contract.md spells them (tests check the contract, not keys.ts). */
export const key = {
  messages: (code: string) => `chat:{${code}}:messages`,
  backroom: (code: string) => `chat:{${code}}:backroom`,
  meta: (code: string) => `chat:{${code}}:meta`,
  pinned: (code: string) => `chat:{${code}}:pinned`,
  reactions: (code: string, id: string) => `chat:{${code}}:reactions:${id}`,
};

/** Every key of a chat in a Redis (SCAN; one slot, so one node even on a cluster). */
export async function chatKeys(redis: Redis, code: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `chat:{${code}}:*`, 'COUNT', 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found.sort();
}

/** Makes keys look idle for `seconds` (RESTORE … IDLETIME keeps value and TTL). */
export async function age(redis: Redis, keyNames: string[], seconds: number): Promise<void> {
  for (const k of keyNames) {
    const [dump, pttl] = await Promise.all([redis.dumpBuffer(k), redis.pttl(k)]);
    if (!dump) continue;
    await redis.restore(k, Math.max(0, pttl), dump, 'REPLACE', 'IDLETIME', seconds);
  }
}
