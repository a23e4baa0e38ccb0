import type { Server } from 'socket.io';

/** The parts of engine.io's websocket transport and ws's WebSocket this module relies on. */
interface WebSocketTransport {
  name: string;
  writable: boolean;
  send(packets: unknown[]): void;
  socket?: { _socket?: { cork(): void; uncork(): void; readonly writableCorked: number } };
}

interface EngineSocket {
  transport: WebSocketTransport;
  on(event: 'upgrade', listener: (transport: WebSocketTransport) => void): void;
}

/**
 * Makes everything a websocket connection is sent in one event-loop turn leave in one socket write.
 * ws writes each frame with its own syscall, and engine.io hands a socket's packets over one flush
 * at a time: under load a socket gets a dozen `message:new` per commit, and those writes were a
 * quarter of the server's CPU. The first send of a turn corks the TCP socket and a setImmediate
 * uncorks it, so the frames go out as one writev once the turn's callbacks have run; meanwhile
 * engine.io is told the transport stays writable, so it hands over each packet at once instead of
 * holding it for a write callback that the cork delays. Order and send callbacks are unchanged.
 * Consequences: a slow client's backlog waits in its TCP socket's buffer rather than in engine.io's
 * (as unbounded as before, until the heartbeat drops the connection), and socket.io's `volatile`
 * emits, which ChatPop does not use, would never be dropped on these connections.
 */
export function coalesceWebSocketWrites(io: Server): void {
  io.engine.on('connection', (socket: EngineSocket) => {
    corkTurns(socket.transport);
    // Only a polling connection upgrades: a websocket one keeps no listener for it.
    if (socket.transport.name !== 'websocket') socket.on('upgrade', corkTurns);
  });
}

function corkTurns(transport: WebSocketTransport): void {
  // ws keeps its net.Socket private; without one (another transport or ws version), nothing changes.
  const raw = transport.name === 'websocket' ? transport.socket?._socket : undefined;
  if (!raw || typeof raw.cork !== 'function' || typeof raw.uncork !== 'function' || typeof raw.writableCorked !== 'number') return;
  // One function for every connection (the transport is `this`), not a closure each: an idle
  // connection keeps only the own property.
  transport.send = corkedSend;
}

function corkedSend(this: WebSocketTransport, packets: unknown[]): void {
  const raw = this.socket!._socket!;
  // Corked by nobody else (ws uncorks within its own send): the first send of this turn corks it.
  if (raw.writableCorked === 0) {
    raw.cork();
    setImmediate(uncork, raw);
  }
  (Object.getPrototypeOf(this) as WebSocketTransport).send.call(this, packets);
  this.writable = true;
}

function uncork(raw: { uncork(): void }): void {
  raw.uncork();
}
