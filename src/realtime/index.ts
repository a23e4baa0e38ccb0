// The socket.io gateway (docs/contract.md "socket.io"): auth, join/recovery, ordered delivery across
// pods, presence, limits, graceful drain.
export { createRealtimeGateway, SOCKET_PATH, type RealtimeGateway, type RealtimeDeps, type RealtimeOptions } from './gateway';
export { createRealtimeAdapter, type RealtimeAdapter } from './adapter';
export {
  ChatSequencer,
  DEFAULT_SEQUENCER_OPTIONS,
  newDeliveryStats,
  type DeliveryStats,
  type SequencerOptions,
  type ReadAfter,
} from './chat-sequencer';
export { PresenceTracker, DEFAULT_PRESENCE_OPTIONS, type PresenceOptions, type PresenceOutlet } from './presence';
export { RedisPresenceStore, MemoryPresenceStore, type PresenceStore, type PresenceEntry } from './presence-store';
export { DEFAULT_LIMITS, type RealtimeLimits } from './limits';
export { InboxNotifier, INBOX_WINDOW_MS } from './inbox-notifier';
export { MemoryInboxGate, RedisInboxGate, type InboxGate } from './inbox-gate';
export { roomOf } from './rooms';
export * from './events';
export * as socketInputs from './socket-inputs';
export type * from './server-events';
