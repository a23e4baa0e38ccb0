// Load generator (child process): real socket.io clients that join chats, send `message:send` and
// receive `message:new`. Commands (see worker-main.ts):
//   connect {url, rooms: [{code, tokens}]}   one socket per token, each joined to its room's chat
//   closed {depth, durationMs}               every socket keeps `depth` sends outstanding (finds the peak)
//   open {rate, durationMs}                  `rate` sends/s spread over the sockets, whatever the acks do
//   broadcast {code, count, warmUp}          one socket of `code` sends `warmUp` + `count` messages, one at a
//                                            time, each once every socket of that room here has the last one;
//                                            the first `warmUp` are not timed
//   disconnect {}
// Latencies are measured inside this process: send→ack from the emit to the ack callback, and
// send→deliver from the emit to each socket's `message:new` (the send time travels in the content).
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { benchContent } from './bare-message';
import { Reservoir, summarize, type LatencySummary } from '../harness/stats';
import { cpuPercent, serveCommands } from './worker-main';

interface Member {
  socket: Socket;
  code: string;
  outstanding: number;
  lastSeq: number;
}

export interface SocketStepResult {
  /** wall seconds of the measured window */
  seconds: number;
  sent: number;
  acked: number;
  /** acks that arrived inside the window, and deliveries likewise: the throughput figures */
  acked_in_window: number;
  delivered_in_window: number;
  /** failed acks by error code (`timeout` when none came) */
  failed: Record<string, number>;
  ack_ms: number[];
  deliver_ms: number[];
  delivered: number;
  /** `message:new` arriving with a seq not above the last one that socket saw */
  order_errors: number;
  /** seqs a socket never received: `message:new` skipped past them */
  gap_errors: number;
  /** sends an open-loop step skipped because a socket already had too many outstanding */
  skipped: number;
  cpu_pct: number;
  /**
   * How late this process's 1 ms timer ran during the window (monitorEventLoopDelay): the time the load
   * generator itself could not run, busy or waiting for a CPU, which shows up in every latency it measures.
   */
  loop_delay_ms: { p99: number; max: number };
}

/** What `broadcast` returns: send→deliver over every socket of the room, and send→last delivery per message. */
export interface BroadcastResult {
  sockets: number;
  broadcasts: number;
  deliver_ms: LatencySummary;
  /** per broadcast, until the room's last socket had it */
  room_ms: LatencySummary;
  ack_ms: LatencySummary;
  /** deliveries that had not come 10 s after their send */
  missing: number;
  failed: number;
}

/** The broadcast under way: its content's tag, when it was sent, who has yet to receive it. */
interface Fan {
  tag: string;
  sentAt: number;
  left: number;
  deliver: number[];
  last: number;
  done(): void;
}

const ACK_TIMEOUT_MS = 15_000;
const BROADCAST_TIMEOUT_MS = 10_000;
let fan: Fan | null = null;
const MAX_OUTSTANDING_PER_SOCKET = 2000;
let members: Member[] = [];
let step: StepState | null = null;
let counter = 0;

class StepState {
  readonly startedAt = performance.now();
  endsAt: number;
  sent = 0;
  acked = 0;
  ackedInWindow = 0;
  deliveredInWindow = 0;
  delivered = 0;
  orderErrors = 0;
  gapErrors = 0;
  skipped = 0;
  readonly failed: Record<string, number> = {};
  readonly ack: number[] = [];
  readonly deliver = new Reservoir(50_000);
  readonly cpu = process.cpuUsage();
  readonly loopDelay = monitorEventLoopDelay({ resolution: 1 });

  constructor(durationMs: number) {
    this.endsAt = this.startedAt + durationMs;
    this.loopDelay.enable();
  }

  inWindow(t: number): boolean {
    return t >= this.startedAt && t <= this.endsAt;
  }
}

async function connect(args: { url: string; rooms: { code: string; tokens: string[] }[]; batch?: number }) {
  const wanted = args.rooms.flatMap((r) => r.tokens.map((token) => ({ code: r.code, token })));
  const batch = args.batch ?? 50;
  for (let i = 0; i < wanted.length; i += batch) {
    members.push(...(await Promise.all(wanted.slice(i, i + batch).map((w) => join(args.url, w.code, w.token)))));
  }
  return { sockets: members.length };
}

function join(url: string, code: string, token: string): Promise<Member> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    const m: Member = { socket, code, outstanding: 0, lastSeq: 0 };
    socket.on('connect_error', (err) => reject(new Error(`connect ${code}: ${err.message}`)));
    socket.on('message:new', (msg: { seq: number; content: string }) => onMessage(m, msg));
    socket.once('connect', () => {
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit('chat:join', { code }, (err: Error | null, res: { ok: boolean; last_seq?: number; error?: unknown }) => {
          if (err || !res?.ok) return reject(new Error(`chat:join ${code}: ${err?.message ?? JSON.stringify(res?.error)}`));
          m.lastSeq = res.last_seq ?? 0;
          resolve(m);
        });
    });
  });
}

function onMessage(m: Member, msg: { seq: number; content: string }): void {
  const now = performance.now();
  const f = fan;
  if (f && msg.content.startsWith(f.tag)) {
    f.deliver.push(now - f.sentAt);
    f.last = now;
    if (--f.left === 0) f.done();
  }
  const s = step;
  if (s && msg.seq <= m.lastSeq) s.orderErrors++;
  if (s && msg.seq > m.lastSeq + 1) s.gapErrors += msg.seq - m.lastSeq - 1;
  m.lastSeq = Math.max(m.lastSeq, msg.seq);
  if (!s) return;
  // Content is "b <sentAt> …" for messages this process sent; others (seeds, other runs) are skipped.
  const sentAt = Number(msg.content.split(' ', 2)[1]);
  if (!msg.content.startsWith('b ') || !(sentAt >= s.startedAt)) return;
  s.delivered++;
  s.deliver.add(now - sentAt);
  if (s.inWindow(now)) s.deliveredInWindow++;
}

function send(m: Member, s: StepState, onDone: () => void): void {
  const sentAt = performance.now();
  m.outstanding++;
  s.sent++;
  const payload = { code: m.code, content: benchContent(`b ${sentAt.toFixed(3)} ${process.pid}-${counter++}`), client_id: randomUUID() };
  m.socket.timeout(ACK_TIMEOUT_MS).emit('message:send', payload, (err: Error | null, res: { ok: boolean; error?: { code: string } }) => {
    const now = performance.now();
    m.outstanding--;
    if (err || !res?.ok) {
      const code = err ? 'timeout' : (res?.error?.code ?? 'unknown');
      s.failed[code] = (s.failed[code] ?? 0) + 1;
    } else {
      s.acked++;
      s.ack.push(now - sentAt);
      if (s.inWindow(now)) s.ackedInWindow++;
    }
    onDone();
  });
}

/** Closed loop: each socket sends again as soon as one of its `depth` outstanding sends is acked. */
async function closed(args: { depth: number; durationMs: number }): Promise<SocketStepResult> {
  const s = (step = new StepState(args.durationMs));
  const refill = (m: Member) => {
    if (performance.now() < s.endsAt) send(m, s, () => refill(m));
  };
  for (const m of members) for (let i = 0; i < args.depth; i++) refill(m);
  return finish(s);
}

/** Open loop: sends at a fixed total rate, round-robin over the sockets, acked or not. */
async function open(args: { rate: number; durationMs: number }): Promise<SocketStepResult> {
  const s = (step = new StepState(args.durationMs));
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.floor(((Math.min(now, s.endsAt) - s.startedAt) / 1000) * args.rate);
      while (s.sent + s.skipped < due) {
        const m = members[next++ % members.length] as Member;
        if (m.outstanding >= MAX_OUTSTANDING_PER_SOCKET) s.skipped++;
        else send(m, s, () => undefined);
      }
      if (now >= s.endsAt) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
  });
  return finish(s);
}

/** Waits for the window to end and every outstanding ack (up to the ack timeout), then reports. */
async function finish(s: StepState): Promise<SocketStepResult> {
  const wait = s.endsAt - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  s.loopDelay.disable();
  const deadline = performance.now() + ACK_TIMEOUT_MS + 1000;
  while (members.some((m) => m.outstanding > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // Deliveries trail the acks (broadcast before ack, but each receiver decodes in turn).
  await new Promise((r) => setTimeout(r, 100));
  step = null;
  return {
    seconds: (s.endsAt - s.startedAt) / 1000,
    sent: s.sent,
    acked: s.acked,
    acked_in_window: s.ackedInWindow,
    delivered_in_window: s.deliveredInWindow,
    failed: s.failed,
    ack_ms: s.ack.map((v) => Math.round(v * 1000) / 1000),
    deliver_ms: s.deliver.values.map((v) => Math.round(v * 1000) / 1000),
    delivered: s.delivered,
    order_errors: s.orderErrors,
    gap_errors: s.gapErrors,
    skipped: s.skipped,
    cpu_pct: cpuPercent(s.cpu, performance.now() - s.startedAt),
    loop_delay_ms: { p99: s.loopDelay.percentile(99) / 1e6, max: s.loopDelay.max / 1e6 },
  };
}

async function broadcast(args: { code: string; count: number; warmUp?: number }): Promise<BroadcastResult> {
  const room = members.filter((m) => m.code === args.code);
  const sender = room[0];
  if (!sender) throw new Error(`no socket here in ${args.code}`);
  const deliver: number[] = [];
  const roomMs: number[] = [];
  const ack: number[] = [];
  let missing = 0;
  let failed = 0;
  const warmUp = args.warmUp ?? 0;
  for (let i = -warmUp; i < args.count; i++) {
    const timed = i >= 0;
    let done = () => undefined as void;
    const all = new Promise<void>((resolve) => (done = resolve));
    // The trailing space keeps tag "f 7-1 " from matching message "f 7-10 …".
    const f: Fan = {
      tag: `f ${process.pid}-${counter++} `,
      sentAt: performance.now(),
      left: room.length,
      deliver: timed ? deliver : [],
      last: 0,
      done,
    };
    fan = f;
    const acked = new Promise<void>((resolve) => {
      sender.socket
        .timeout(ACK_TIMEOUT_MS)
        .emit(
          'message:send',
          { code: args.code, content: benchContent(f.tag), client_id: randomUUID() },
          (err: Error | null, res: { ok: boolean }) => {
            if (err || !res?.ok) failed++;
            else ack.push(performance.now() - f.sentAt);
            resolve();
          },
        );
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, BROADCAST_TIMEOUT_MS)))]);
    clearTimeout(timer);
    await acked;
    fan = null;
    missing += f.left;
    if (f.left === 0 && timed) roomMs.push(f.last - f.sentAt);
  }
  return {
    sockets: room.length,
    broadcasts: args.count,
    deliver_ms: summarize(deliver),
    room_ms: summarize(roomMs),
    ack_ms: summarize(ack),
    missing,
    failed,
  };
}

function disconnect() {
  for (const m of members) m.socket.disconnect();
  members = [];
  return {};
}

serveCommands({ connect, closed, open, broadcast, disconnect }, () => void disconnect());
