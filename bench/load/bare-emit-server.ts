// Ceiling (1): a bare socket.io server that only re-emits each sent message to its room. It speaks
// the contract's events (chat:join, message:send → message:new + ack) with no auth, no database,
// no cache and the in-memory adapter: what socket.io alone delivers on this machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { bareMessage } from './bare-message';

const http = createServer();
const io = new Server(http);
const lastSeq = new Map<string, number>();

io.on('connection', (socket) => {
  socket.on('chat:join', (payload: { code: string }, ack: (res: object) => void) => {
    const room = `chat:${payload.code}`;
    void socket.join(room);
    ack({ ok: true, last_seq: lastSeq.get(room) ?? 0, version: 0, missed: [], changed: [], recovered: true });
  });
  socket.on('message:send', (payload: { code: string; content: string }, ack: (res: object) => void) => {
    const room = `chat:${payload.code}`;
    const seq = (lastSeq.get(room) ?? 0) + 1;
    lastSeq.set(room, seq);
    const message = bareMessage(payload.code, seq, payload.content);
    io.to(room).emit('message:new', message);
    ack({ ok: true, message });
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
