import type { Channel } from '../domain';

/**
 * Every Redis key ChatPop uses. All keys of one chat carry the hash tag `{CODE}` so a chat lives in
 * one Redis Cluster slot and each Lua script touches a single slot.
 */
export const keys = {
  /** sorted set, score = seq: the newest messages of a channel (JSON members) */
  window: (code: string, channel: Channel) => (channel === 'main' ? `chat:{${code}}:messages` : `chat:{${code}}:backroom`),
  /** hash: `main` / `backroom` → the highest seq the window knows of (the chat's last seq) */
  meta: (code: string) => `chat:{${code}}:meta`,
  /** sorted set, score = pinned_until (ms): active pins (JSON members) */
  pinned: (code: string) => `chat:{${code}}:pinned`,
  /** hash emoji → count */
  reactions: (code: string, messageId: string) => `chat:{${code}}:reactions:${messageId}`,
  /**
   * sorted set, score = expiry (ms): one member `<pod>/<socket id>|<username>` per live connection in
   * the chat; pods refresh their own members by heartbeat, so a killed pod's members expire.
   */
  online: (code: string) => `chat:{${code}}:online`,
  /**
   * string, 1 s TTL: a pod is gathering this chat's inbox news (inbox:updated) and tells its members
   * when it expires. Outside `chat:{…}` so cache scans never take it for a chat's data.
   */
  inboxWindow: (code: string) => `chatpop:inbox:${code}`,
  /** per-user cached state: profile, unread, presence, … */
  user: (userId: string, what: string) => `user:{${userId}}:${what}`,
  /** SCAN patterns */
  chatPattern: 'chat:{*}:*',
  userPattern: 'user:{*}:*',
  /** set of chat codes whose windows must be rebuilt from the database */
  repairQueue: 'chatpop:repair:waiting',
  /** hash setting → JSON value: run-time switches every pod polls (`enable_monitoring`) */
  settings: 'chatpop:settings',
  // The monitor's keys share the hash tag {monitor}, so one MULTI / MGET covers them on a cluster.
  /** sorted set, score = expiry (ms): pods whose monitor snapshot is fresh */
  monitorPods: 'chatpop:{monitor}:pods',
  /** string, short TTL: one pod's latest monitor snapshot (JSON) */
  monitorPod: (pod: string) => `chatpop:{monitor}:pod:${pod}`,
  /** list, oldest first, trimmed to 15 minutes: one pod's history points for the dashboard's charts (JSON) */
  monitorHistory: (pod: string) => `chatpop:{monitor}:history:${pod}`,
} as const;

/** The chat code inside a chat key, or null. */
export function chatCodeOfKey(key: string): string | null {
  const m = /^chat:\{([^}]+)\}:/.exec(key);
  return m ? m[1] : null;
}
