import { expect } from 'chai';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { coalesceWebSocketWrites } from '../../src/realtime/coalesced-writes';

interface Counted {
  /** writes the server's TCP socket for this connection made (each is one syscall) */
  writes(): number;
}

/** Counts the write calls of the connection's net.Socket (ws keeps it as `_socket`). */
function countWrites(socket: ServerSocket): Counted {
  const raw = (socket.conn.transport as unknown as { socket: { _socket: Record<string, (...a: unknown[]) => unknown> } }).socket._socket;
  let n = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = raw[method]!;
    raw[method] = function (this: unknown, ...args: unknown[]) {
      n++;
      return original.apply(this, args);
    };
  }
  return { writes: () => n };
}

/** A bare socket.io server, with or without coalesced writes, and one client that records `n` events. */
async function setUp(coalesce: boolean, transports: ('polling' | 'websocket')[]) {
  const http: HttpServer = createServer();
  const io = new Server(http);
  if (coalesce) coalesceWebSocketWrites(io);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const server = new Promise<ServerSocket>((r) => io.once('connection', r));
  const client: Socket = connectClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
    transports,
    forceNew: true,
    reconnection: false,
  });
  const socket = await server;
  if (transports.length > 1) await new Promise<void>((r) => socket.conn.once('upgrade', () => r()));
  const received: number[] = [];
  client.on('n', (i: number) => received.push(i));
  const until = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count}`)), 5000);
      const check = () => (received.length >= count ? (clearTimeout(timer), resolve()) : setTimeout(check, 5));
      check();
    });
  const close = async () => {
    client.close();
    await io.close();
  };
  return { io, socket, client, received, until, close };
}

const burst = (socket: ServerSocket, from: number, count: number) => {
  for (let i = from; i < from + count; i++) socket.emit('n', i);
};

/** Emits `count` events in one turn to a fresh websocket connection: the writes that cost, and what arrived. */
async function burstOnce(coalesce: boolean, count: number): Promise<{ writes: number; received: number[] }> {
  const t = await setUp(coalesce, ['websocket']);
  try {
    const counted = countWrites(t.socket);
    burst(t.socket, 0, count);
    await t.until(count);
    return { writes: counted.writes(), received: [...t.received] };
  } finally {
    await t.close();
  }
}

describe('Coalesced websocket writes (one socket write per connection and event-loop turn)', () => {
  it('sends the events a turn emits to a socket in one write, in order', async () => {
    const { writes, received } = await burstOnce(true, 50);
    expect(received).to.deep.equal([...Array(50).keys()]);
    expect(writes).to.equal(1);
  });

  it('without it, the same turn costs a write per event (what the first test saves)', async () => {
    const { writes, received } = await burstOnce(false, 50);
    expect(received).to.deep.equal([...Array(50).keys()]);
    expect(writes).to.be.at.least(49);
  });

  it('keeps order and coalesces across turns and after an upgrade from polling', async () => {
    const t = await setUp(true, ['polling', 'websocket']);
    try {
      const counted = countWrites(t.socket);
      for (let turn = 0; turn < 5; turn++) {
        burst(t.socket, turn * 20, 20);
        await new Promise((r) => setImmediate(r));
      }
      await t.until(100);
      expect(t.received).to.deep.equal([...Array(100).keys()]);
      expect(counted.writes()).to.be.at.most(5);
    } finally {
      await t.close();
    }
  });

  it('answers acks and survives a connection closed with writes still held', async () => {
    const t = await setUp(true, ['websocket']);
    try {
      t.socket.on('ping?', (ack: (v: string) => void) => ack('pong'));
      expect(await t.client.timeout(2000).emitWithAck('ping?')).to.equal('pong');
      burst(t.socket, 0, 10);
      t.socket.disconnect(true); // the held writes are released (or dropped) on a closed socket: no throw
      await new Promise((r) => setTimeout(r, 20));
      expect(t.socket.connected).to.equal(false);
    } finally {
      await t.close();
    }
  });
});
