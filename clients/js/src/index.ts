// @chatpop/client: a typed ChatPop client for browsers and Node (see clients/js/README.md).
export { connect, ChatPopClient, type ConnectOptions, type ConnectionState, type ClientEvents } from './client';
export { Chat, type ChatEvents } from './chat';
export { Inbox } from './inbox';
export { Api, ApiError } from './rest';
export { SendError } from './outbox';
export type { ChatSocket } from './socket';
export type * from './types';
