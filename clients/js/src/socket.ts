import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './types';

/** A socket.io client socket typed with the server's own event maps. */
export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
