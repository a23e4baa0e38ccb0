import type { TokenService } from '../auth';
import type { CacheEngine, CacheLimits } from '../cache';
import { rawPg, type Orm, type ReadReplicas } from '../db';
import type { Logger } from '../logger';
import { CacheWriter } from './cache-writer';
import { ChatService } from './chat-service';
import { ChatEvents } from './events';
import { HistoryService } from './history-service';
import type { MessageView } from './message-view';
import { MessageChangeService } from './message-change-service';
import { MessageStore } from './message-store';
import { PinService } from './pin-service';
import { RateLimiter } from './rate-limiter';
import { ReactionService } from './reaction-service';
import { RepairQueue } from './repair-queue';
import { PgSendCommit } from './pg-send-commit';
import { OrmSendCommit } from './send-commit';
import { PageMemo } from './page-memo';
import { ParticipantNames } from './participant-names';
import { SendService } from './send-service';
import { WindowRebuilder } from './window-rebuilder';

export interface ChatServices {
  events: ChatEvents;
  store: MessageStore;
  repair: RepairQueue;
  writer: CacheWriter;
  rebuilder: WindowRebuilder;
  chats: ChatService;
  send: SendService;
  history: HistoryService;
  changes: MessageChangeService;
  pins: PinService;
  reactions: ReactionService;
  /** current names of anonymous participants (renames) */
  names: ParticipantNames;
}

/** Wires the chat services over one ORM and one cache engine. */
export function createChatServices(deps: {
  orm: Orm;
  cache: CacheEngine;
  limits: CacheLimits;
  tokens: TokenService;
  log: Logger;
  sendRateLimitPer10s: number;
  /** the database is distributed by chat (Citus: see isDistributed) */
  distributed?: boolean;
  /** read replicas for history pages the cache cannot serve */
  replicas?: ReadReplicas | null;
}): ChatServices {
  const events = new ChatEvents();
  const pg = rawPg(deps.orm);
  const distributed = deps.distributed ?? false;
  const store = new MessageStore(deps.orm, pg, distributed, deps.replicas ?? null);
  const rebuilder = new WindowRebuilder(store, deps.cache, deps.limits);
  const repair = new RepairQueue(deps.cache, (code) => rebuilder.rebuild(code), deps.log);
  const history = new HistoryService(store, deps.cache, repair, deps.limits, new PageMemo());
  const changed = ({ chat_code, message }: { chat_code: string; message: MessageView }) =>
    history.messageChanged(chat_code, message.channel);
  for (const name of ['message:updated', 'message:deleted', 'message:pinned', 'reaction:updated'] as const) events.on(name, changed);
  const writer = new CacheWriter(deps.cache, repair);
  const limiter = new RateLimiter(deps.sendRateLimitPer10s, 10);
  const portable = new OrmSendCommit(store);
  const names = new ParticipantNames(store, events);
  return {
    events,
    store,
    repair,
    writer,
    rebuilder,
    history,
    chats: new ChatService(store, deps.tokens, events),
    send: new SendService(store, pg ? new PgSendCommit(pg, portable, distributed) : portable, writer, events, limiter, names),
    changes: new MessageChangeService(store, writer, events),
    pins: new PinService(store, deps.cache, writer, events),
    reactions: new ReactionService(store, writer, events),
    names,
  };
}
