// chat:join and its recovery.
//
// The socket enters the room first and reads afterwards, so nothing committed after the read can
// pass it by. While it joins, the room's live events are held back from it (OrderedDelivery), and
// its `missed` is carried up to exactly the seq the room's stream has reached (from the
// sequencer's recent messages, or history), so ack + stream hold each message once and in order:
// the ack goes out, then `message:new` continues at `last_seq + 1`.
import type { ChatServices, MessageView } from '../chat';
import type { ChatAccess } from './chat-access';
import type { Channel } from '../domain';
import { AppError } from '../errors';
import type { JoinPayload, JoinResult } from './events';
import type { RealtimeSocket } from './server-events';
import { READ_LIMIT, type OrderedDelivery } from './ordered-delivery';
import type { PresenceTracker } from './presence';
import { roomOf } from './rooms';

/** Rounds of bringing `missed` up to the stream before giving up (recovered: false). */
const CATCH_UP_ROUNDS = 5;

export interface Answer<T> {
  /**
   * The ack body, made at the moment the ack is written (the handler calls it synchronously right
   * before the ack, so nothing can happen between the two).
   */
  reply: () => T;
  /** runs right after the ack is written, before any other event reaches the socket */
  after?: () => void;
}

export class JoinFlow {
  constructor(
    private readonly chat: ChatServices,
    private readonly delivery: OrderedDelivery,
    private readonly presence: PresenceTracker,
    private readonly access: ChatAccess,
  ) {}

  async join(socket: RealtimeSocket, input: JoinPayload): Promise<Answer<JoinResult>> {
    const { code } = input;
    this.access.assertRoomFor(socket, code);
    const session = await this.access.resolve(socket, code, input.session_token);
    const participant = await this.chat.chats.participant(session);
    const channels: Channel[] = participant.isHost || participant.backroomMember ? ['main', 'backroom'] : ['main'];
    const rejoin = new Set(channels.filter((ch) => socket.rooms.has(roomOf(code, ch))));
    // A socket already in a room keeps its live stream there unless the ack carries what it would
    // hold back (`missed`: main, with since_seq); held back otherwise, those messages were lost.
    const held = channels.filter((ch) => !rejoin.has(ch) || (ch === 'main' && input.since_seq !== undefined));

    // Counted from now, so joins in flight at once cannot pass the limit together.
    this.access.assertRoomFor(socket, code);
    const previous = socket.data.chats[code];
    socket.data.chats[code] = session;
    const release = () => {
      for (const ch of held) this.delivery.endJoin(socket, code, ch);
    };
    try {
      for (const ch of held) await this.delivery.beginJoin(socket, code, ch);
      const reply = await this.read(code, input, channels.includes('backroom'));
      return {
        reply,
        after: () => {
          release();
          if (!socket.connected) return; // it left while we read: nothing to announce
          void this.presence.add(code, socket.id, session.username);
        },
      };
    } catch (err) {
      release();
      for (const ch of channels) if (!rejoin.has(ch)) await this.delivery.leave(socket, code, ch);
      if (socket.data.chats[code] === session) {
        if (previous) socket.data.chats[code] = previous;
        else delete socket.data.chats[code];
      }
      throw err;
    }
  }

  async leave(socket: RealtimeSocket, code: string): Promise<void> {
    for (const ch of ['main', 'backroom'] as const) {
      if (socket.rooms.has(roomOf(code, ch))) await this.delivery.leave(socket, code, ch);
    }
    delete socket.data.chats[code];
    await this.presence.remove(code, socket.id);
  }

  /** Reads what the socket missed; returns the synchronous last step that fixes `last_seq`. */
  private async read(code: string, input: JoinPayload, backroom: boolean): Promise<() => JoinResult> {
    const main = this.delivery.sequencer(code, 'main');
    if (!main) throw AppError.unavailable('the join was interrupted; join again');
    // Read only now that the socket is in the room: later commits and changes reach it as events.
    const chat = await this.chat.store.chat(code);
    const changed =
      input.since_version === undefined
        ? []
        : await this.chat.history.changedSince(code, 'main', input.since_version, input.since_seq ?? chat.lastSeqMain, READ_LIMIT);
    let missed: MessageView[] = [];
    let complete = true;
    let covered = 0;
    if (input.since_seq === undefined) {
      main.start(chat.lastSeqMain);
    } else {
      const gap = await this.chat.history.missedSince(code, 'main', input.since_seq, READ_LIMIT);
      missed = gap.messages;
      complete = gap.complete;
      covered = missed.length ? missed[missed.length - 1].seq : input.since_seq;
      main.start(Math.max(chat.lastSeqMain, gap.lastSeq));
      // The room's stream may already be past what we read (it moved on while we read, or this pod
      // started it earlier): bring `missed` close to it here, the last step happens in finish().
      for (let round = 0; complete && round < CATCH_UP_ROUNDS && covered < main.lastDelivered!; round++) {
        const more = main.recentAfter(covered) ?? (await this.chat.history.missedSince(code, 'main', covered, READ_LIMIT)).messages;
        const next = contiguousAfter(more, covered);
        if (next.length === 0) break;
        missed.push(...next);
        covered = next[next.length - 1].seq;
      }
    }

    // Synchronous, called right before the ack: the stream cannot move past last_seq unseen.
    return () => {
      const lastSeq = main.lastDelivered!;
      if (input.since_seq !== undefined && complete && covered < lastSeq) {
        const next = contiguousAfter(main.recentAfter(covered) ?? [], covered);
        missed.push(...next);
        covered = next.at(-1)?.seq ?? covered;
      }
      // Whatever the stream has not reached yet, the socket will receive live: not twice.
      if (missed.length && missed[missed.length - 1].seq > lastSeq) missed = missed.filter((m) => m.seq <= lastSeq);
      const result: JoinResult = {
        last_seq: lastSeq,
        version: chat.version,
        missed,
        changed,
        // A full `changed` may have left some out: recovered false sends the client to the history.
        recovered: (input.since_seq === undefined || (complete && covered >= lastSeq)) && changed.length < READ_LIMIT,
      };
      if (backroom) {
        const room = this.delivery.sequencer(code, 'backroom');
        room?.start(chat.lastSeqBackroom);
        result.backroom_last_seq = room?.lastDelivered ?? chat.lastSeqBackroom;
      }
      return result;
    };
  }
}

/** The run of messages seq = after+1, after+2, … at the start of `messages` (ascending). */
function contiguousAfter(messages: MessageView[], after: number): MessageView[] {
  const run: MessageView[] = [];
  for (const m of messages) {
    if (m.seq <= after) continue;
    if (m.seq !== after + run.length + 1) break;
    run.push(m);
  }
  return run;
}
