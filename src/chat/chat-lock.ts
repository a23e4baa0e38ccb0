// The chat row's counters are the chat repository's (src/db/repositories/chats.ts).
export type { ChatCounters } from '../db';
