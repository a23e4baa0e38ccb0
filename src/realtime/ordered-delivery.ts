import type { ChatServices, MessageView } from '../chat';
import type { Channel } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { ChatSequencer, DEFAULT_SEQUENCER_OPTIONS, newDeliveryStats, type DeliveryStats, type SequencerOptions } from './chat-sequencer';
import type { ServerToClientEvents } from './events';
import type { PeerPods } from './peer-pods';
import type { ChatChange, RealtimeServer, RealtimeSocket } from './server-events';
import { roomOf } from './rooms';

/** Most messages one history read brings into a sequencer (the replay limit of docs/contract.md). */
export const READ_LIMIT = 500;

/** One change (not a bundle of them). */
type OneChange = Exclude<ChatChange, { type: 'changes' }>;

type Outbound = { [E in keyof ServerToClientEvents]: { event: E; args: Parameters<ServerToClientEvents[E]> } }[keyof ServerToClientEvents];

function emitTo(target: { emit(event: string, ...args: unknown[]): boolean }, out: Outbound): void {
  target.emit(out.event, ...out.args);
}

/** A change of one message as its socket event. */
function outbound(change: Exclude<ChatChange, { type: 'messages:new' | 'changes' }>): Outbound {
  if (change.type === 'reaction:updated') {
    const { message, reactions } = change;
    return {
      event: 'reaction:updated',
      args: [{ chat_code: change.chat_code, message_id: message.id, reactions, version: message.version }],
    };
  }
  return { event: change.type, args: [change.message] };
}

interface RoomState {
  code: string;
  channel: Channel;
  sequencer: ChatSequencer;
  members: Set<string>;
  /** sockets in the middle of chat:join: left out of room emits; changes wait for their ack */
  joining: Map<string, { socket: RealtimeSocket; queued: Outbound[] }>;
}

/**
 * Carries every committed change to every pod and emits it to the local room in seq order (the
 * ordering itself is ChatSequencer's). Changes of the local services are passed to the other pods
 * as a server-side event through the socket.io adapter, while there are any (PeerPods); each pod, the committing one included,
 * feeds the change into the sequencer of the chat channel's room, if it has local members there.
 */
export class OrderedDelivery {
  private readonly rooms = new Map<string, RoomState>();
  /** socket id → its rooms here: the room itself while it is one (most sockets hold one chat), a Set beyond */
  private readonly socketRooms = new Map<string, string | Set<string>>();
  private readonly unsubscribe: () => void;
  /** this turn's changes, not yet sent to the other pods */
  private outbox: ChatChange[] = [];
  /** totals over every sequencer this pod has run */
  readonly stats: DeliveryStats = newDeliveryStats();

  constructor(
    private readonly io: RealtimeServer,
    private readonly chat: ChatServices,
    /** the other pods, if any hear this one: none, and changes are not announced to them */
    private readonly peers: PeerPods,
    private readonly log: Logger,
    private readonly opts: SequencerOptions = DEFAULT_SEQUENCER_OPTIONS,
  ) {
    const events = chat.events;
    const onNew = ({ chat_code, channel, messages }: { chat_code: string; channel: Channel; messages: MessageView[] }) =>
      this.announce({ type: 'messages:new', chat_code, channel, messages });
    const onUpdated = (e: { chat_code: string; message: MessageView }) => this.announce({ type: 'message:updated', ...e });
    const onDeleted = (e: { chat_code: string; message: MessageView }) => this.announce({ type: 'message:deleted', ...e });
    const onPinned = (e: { chat_code: string; message: MessageView }) => this.announce({ type: 'message:pinned', ...e });
    const onReaction = (e: { chat_code: string; reactions: Record<string, number>; message: MessageView }) =>
      this.announce({ type: 'reaction:updated', chat_code: e.chat_code, message: e.message, reactions: e.reactions });
    events.on('messages:new', onNew);
    events.on('message:updated', onUpdated);
    events.on('message:deleted', onDeleted);
    events.on('message:pinned', onPinned);
    events.on('reaction:updated', onReaction);
    io.on('chat:changes', (change) => this.receiveRemote(change));
    io.on('chat:change', (change) => this.receiveRemote(change));
    this.unsubscribe = () => {
      events.off('messages:new', onNew);
      events.off('message:updated', onUpdated);
      events.off('message:deleted', onDeleted);
      events.off('message:pinned', onPinned);
      events.off('reaction:updated', onReaction);
    };
  }

  /** The room's sequencer; only between beginJoin and leave. */
  sequencer(code: string, channel: Channel): ChatSequencer | undefined {
    return this.rooms.get(roomOf(code, channel))?.sequencer;
  }

  /**
   * Puts the socket in the room but holds its events until `endJoin`, so the join ack (with what
   * the socket read from history) reaches it before any live event of the room.
   */
  async beginJoin(socket: RealtimeSocket, code: string, channel: Channel): Promise<ChatSequencer> {
    // Gone while its join read the database: its disconnect has been handled, nothing may stay behind.
    if (!socket.connected) throw AppError.unavailable('the connection closed during the join');
    const room = roomOf(code, channel);
    let state = this.rooms.get(room);
    if (!state) {
      const sequencer = new ChatSequencer(
        async (after) => (await this.chat.history.missedSince(code, channel, after, READ_LIMIT)).messages,
        (message) => this.emitToRoom(room, { event: 'message:new', args: [message] }),
        // Every retry fails alike while the database is down, which /ready already reports: keep it quiet.
        (err) => this.log.debug({ err, code, channel }, 'gap read failed; retrying'),
        this.opts,
        this.stats,
      );
      state = { code, channel, sequencer, members: new Set(), joining: new Map() };
      this.rooms.set(room, state);
    }
    state.members.add(socket.id);
    state.joining.set(socket.id, { socket, queued: [] });
    const mine = this.socketRooms.get(socket.id);
    if (mine === undefined || mine === room) this.socketRooms.set(socket.id, room);
    else if (typeof mine === 'string') this.socketRooms.set(socket.id, new Set([mine, room]));
    else mine.add(room);
    await socket.join(room);
    return state.sequencer;
  }

  /** The join was answered: the socket gets live events from now on, first the changes held for it. */
  endJoin(socket: RealtimeSocket, code: string, channel: Channel): void {
    const state = this.rooms.get(roomOf(code, channel));
    const held = state?.joining.get(socket.id);
    if (!state || !held) return;
    state.joining.delete(socket.id);
    if (socket.connected) for (const out of held.queued) emitTo(socket, out);
  }

  async leave(socket: RealtimeSocket, code: string, channel: Channel): Promise<void> {
    const room = roomOf(code, channel);
    await socket.leave(room);
    this.forget(socket.id, room);
  }

  /** A socket disconnected (socket.io has already taken it out of its rooms). */
  leaveAll(socketId: string): void {
    const mine = this.socketRooms.get(socketId);
    for (const room of typeof mine === 'string' ? [mine] : [...(mine ?? [])]) this.forget(socketId, room);
  }

  /** Rooms with a sequencer on this pod (for tests and stats). */
  get roomCount(): number {
    return this.rooms.size;
  }

  close(): void {
    if (this.outbox.length) this.flushOutbox();
    this.unsubscribe();
    for (const state of this.rooms.values()) state.sequencer.close();
    this.rooms.clear();
    this.socketRooms.clear();
  }

  private forget(socketId: string, room: string): void {
    const mine = this.socketRooms.get(socketId);
    if (mine === room) this.socketRooms.delete(socketId);
    else if (typeof mine === 'object') {
      mine.delete(room);
      if (mine.size === 0) this.socketRooms.delete(socketId);
    }
    const state = this.rooms.get(room);
    if (!state) return;
    state.members.delete(socketId);
    state.joining.delete(socketId);
    if (state.members.size === 0) {
      state.sequencer.close();
      this.rooms.delete(room);
    }
  }

  /**
   * A change committed on this pod: to this pod's own room now, and to the other pods with the
   * rest of this event-loop turn's changes (a commit of many chats is one publish, not one each).
   */
  private announce(change: OneChange): void {
    if (this.peers.present) {
      if (!this.outbox.length) setImmediate(() => this.flushOutbox());
      this.outbox.push(change);
    }
    this.receive(change);
  }

  private flushOutbox(): void {
    if (!this.outbox.length) return; // flushed by close()
    const changes = this.outbox;
    this.outbox = [];
    this.io.serverSideEmit('chat:changes', changes.length === 1 ? changes[0] : { type: 'changes', changes });
  }

  private receiveRemote(change: ChatChange): void {
    this.peers.heard();
    if (change.type === 'changes') {
      for (const c of change.changes) this.receiveRemote(c);
      return;
    }
    // Another pod's change: pages of the chat this pod keeps are old (its own changes tell the history service directly).
    if (change.type !== 'messages:new' && change.type !== 'message:new')
      this.chat.history.messageChanged(change.chat_code, change.message.channel);
    this.receive(change);
  }

  private receive(change: OneChange): void {
    if (change.type === 'messages:new') {
      const state = this.rooms.get(roomOf(change.chat_code, change.channel));
      for (const message of state ? change.messages : []) state!.sequencer.push(message);
      return;
    }
    const room = roomOf(change.chat_code, change.message.channel);
    const state = this.rooms.get(room);
    if (!state) return; // nobody here reads this chat channel
    if (change.type === 'message:new') {
      state.sequencer.push(change.message);
      return;
    }
    // A change is shown after its message, never before (it may overtake it between pods).
    state.sequencer.afterDelivered(change.message.seq, () => this.emitToRoom(room, outbound(change)));
  }

  private emitToRoom(room: string, out: Outbound): void {
    const state = this.rooms.get(room);
    const joining = state?.joining;
    const target = joining?.size ? this.io.local.to(room).except([...joining.keys()]) : this.io.local.to(room);
    emitTo(target as unknown as { emit(event: string, ...args: unknown[]): boolean }, out);
    // A joining socket will read every message up to the stream in its ack, but not later changes.
    if (joining?.size && out.event !== 'message:new') for (const held of joining.values()) held.queued.push(out);
  }
}
