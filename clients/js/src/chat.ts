// One chat as the client holds it: an ordered, de-duplicated message stream that survives
// reconnects (chat:join with since_seq/since_version, REST paging when the server cannot replay it
// all), live changes, presence, pins, and sends that are repeated with their client_id until acked.
import { readClaims } from './claims';
import { newClientId } from './client-id';
import { Emitter } from './emitter';
import { MessageLog } from './message-log';
import { isTransient, SendError, type PendingSend } from './outbox';
import type { Api } from './rest';
import { retrying, sleep } from './retry';
import type { ChatSocket } from './socket';
import type { Ack, JoinPayload, JoinResult, MessageView, ParticipantRenamed, PresenceUpdate, ReactionUpdate } from './types';

/** How long an ack may take before the event is sent again on the same connection. */
const ACK_TIMEOUT_MS = 20_000;
/** The largest history page the server answers. */
const PAGE = 200;

export interface ChatEvents {
  /** a message joined the end of the stream (live or caught up), in seq order, each once */
  message: [MessageView];
  /** older messages were loaded at the start (loadOlder), in seq order */
  older: [MessageView[]];
  /** a held message changed: edit, delete (a tombstone), reaction or pin */
  update: [MessageView];
  /** the usernames online now */
  presence: [string[]];
  /** the active pins */
  pins: [MessageView[]];
  /**
   * a participant posts under another name from now on (an anonymous one lost its name to the name's
   * registered owner); when it is this client, `username` already says the new name
   */
  renamed: [ParticipantRenamed];
  /** (re)joined on the current connection and caught up */
  synced: [];
  /** something the app may want to show: a failed rejoin, catch-up or background read */
  error: [Error];
}

/** What a chat needs of its client. */
export interface ChatHost {
  readonly api: Api;
  /** the current socket, connected or not */
  readonly socket: ChatSocket | null;
  /** bumped at every connect and disconnect: work begun on an older one is dropped */
  readonly epoch: number;
  /** the chat left the client (chat.leave()) */
  forget(chat: Chat): void;
  /** a read marker moved: the unread count left */
  readMarked(code: string, unread: number): void;
}

export class Chat extends Emitter<ChatEvents> {
  /** usernames online now */
  online: string[] = [];
  /** active pins */
  pinned: MessageView[] = [];
  /** false once scrollback reached seq 1 */
  hasOlder = true;
  /** joined and caught up on the current connection */
  synced = false;
  /** the chat's change counter of the last join ack: the next join asks what changed since */
  private version = 0;
  private started = false;
  private readonly log = new MessageLog();
  private readonly outbox: PendingSend[] = [];
  private catchingUp: Promise<void> | null = null;
  private left = false;
  /** this client's name since the server renamed it (its token still carries the old one) */
  private renamedTo: string | undefined;
  readonly ready: Promise<Chat>;
  private settle!: { resolve: (c: Chat) => void; reject: (e: Error) => void };

  constructor(
    private readonly host: ChatHost,
    readonly code: string,
    /** this chat's session token: REST writes, private chats' reads, joins on another chat's socket */
    readonly sessionToken: string | undefined,
  ) {
    super();
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => undefined); // read by join(); unhandled otherwise
  }

  /** The name this client has in the chat: its session token's, or the one the server renamed it to. */
  get username(): string | undefined {
    return this.renamedTo ?? readClaims(this.sessionToken)?.username;
  }

  /** The held messages, oldest first: contiguous seqs, each once. */
  get messages(): readonly MessageView[] {
    return this.log.messages;
  }

  /** The last seq of the stream held without a gap. */
  get lastSeq(): number {
    return this.log.last;
  }

  /** Sends not acked yet (they are repeated across reconnects). */
  get pendingSends(): number {
    return this.outbox.length;
  }

  /**
   * Sends `content`; resolves with the stored message once the server acked it. It is repeated with
   * the same client_id after reconnects, restarts and transient refusals until acked, and stored
   * once; a refusal for good (invalid content, forbidden) rejects with a SendError.
   */
  send(content: string, opts: { replyTo?: string | null; clientId?: string } = {}): Promise<MessageView> {
    return new Promise((resolve, reject) => {
      if (this.left) return reject(new SendError('left', `left ${this.code}`));
      const clientId = opts.clientId ?? newClientId();
      this.outbox.push({ client_id: clientId, content, reply_to: opts.replyTo ?? null, sentOn: -1, holding: false, resolve, reject });
      this.flush();
    });
  }

  /** Loads up to `limit` messages before the oldest held one; resolves with them (oldest first). */
  async loadOlder(limit = 50): Promise<MessageView[]> {
    if (this.log.first <= 1) {
      this.hasOlder = false;
      return [];
    }
    const page = await retrying(() => this.host.api.history(this.code, { before: this.log.first, limit }, this.sessionToken));
    const added = this.log.prepend(page.messages);
    this.hasOlder = page.has_more && this.log.first > 1;
    if (added.length) this.emit('older', added);
    return added;
  }

  /** Edits one's own message (the host may edit any). */
  async edit(id: string, content: string): Promise<MessageView> {
    return this.applied(await retrying(() => this.host.api.edit(this.code, id, content, this.token())));
  }

  /** Deletes one's own message (the host may delete any); it stays as a tombstone. */
  async delete(id: string): Promise<MessageView> {
    return this.applied(await retrying(() => this.host.api.delete(this.code, id, this.token())));
  }

  /** Adds or removes one's reaction; resolves with the message's reaction counts. */
  async react(id: string, emoji: string, op: 'add' | 'remove' = 'add'): Promise<Record<string, number>> {
    const api = this.host.api;
    const path = `/api/chats/${this.code}/messages/${encodeURIComponent(id)}/reactions`;
    const body = await retrying(() =>
      api.request<{ reactions: Record<string, number> }>(op === 'add' ? 'POST' : 'DELETE', path, this.token(), { emoji }),
    );
    return body.reactions;
  }

  /** Pins a message for `durationMinutes`. */
  async pin(id: string, amountCents: number, durationMinutes: number): Promise<MessageView> {
    return this.applied(await this.host.api.pin(this.code, id, amountCents, durationMinutes, this.token()));
  }

  /** Moves the read marker to `seq` (default: the stream's end); resolves with the unread left. */
  async markRead(seq = this.log.last): Promise<number> {
    if (seq < 1) return 0;
    const { unread } = await retrying(() => this.host.api.markRead(this.code, seq, this.token()));
    this.host.readMarked(this.code, unread);
    return unread;
  }

  /** Leaves the chat on this connection; pending sends are refused. */
  async leave(): Promise<void> {
    this.closed();
    this.host.forget(this);
    const socket = this.host.socket;
    if (socket?.connected)
      await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('chat:leave', { code: this.code })
        .catch(() => undefined);
  }

  // ---- called by the client ----

  /** Joins on the current connection: the first time from now, later from the stream's end. */
  async sync(): Promise<void> {
    const epoch = this.host.epoch;
    const socket = this.host.socket;
    if (!socket || this.left) return;
    this.synced = false;
    const payload: JoinPayload = { code: this.code };
    if (this.sessionToken) payload.session_token = this.sessionToken;
    if (this.started) Object.assign(payload, { since_seq: this.log.last, since_version: this.version });
    for (let attempt = 0; ; attempt++) {
      // The ack is taken in its callback, before any message:new behind it: the stream goes on
      // from last_seq, so last_seq must be set first.
      const ack = await new Promise<Ack<JoinResult>>((resolve) => {
        socket.timeout(ACK_TIMEOUT_MS).emit('chat:join', payload, (err: Error | null, res: Ack<JoinResult>) => {
          if (err) return resolve({ ok: false, error: { code: 'timeout', message: 'no join ack' } });
          if (res.ok && epoch === this.host.epoch && !this.left) this.accept(res);
          resolve(res);
        });
      });
      if (epoch !== this.host.epoch || this.left) return; // a newer connection joins again
      if (ack.ok) return this.joined(ack, epoch, payload.since_seq === undefined);
      if (!isTransient(ack.error) || attempt >= 20) {
        const err = new SendError(ack.error.code, `join ${this.code}: ${ack.error.message}`);
        if (!this.started) {
          this.left = true;
          this.host.forget(this);
          this.settle.reject(err);
        } else this.emit('error', err);
        return;
      }
      await sleep(ack.error.retry_after ? ack.error.retry_after * 1000 : 500);
      if (epoch !== this.host.epoch) return;
    }
  }

  /** The client closed: what waits to be sent never will be. */
  closed(): void {
    this.left = true;
    this.synced = false;
    for (const p of this.outbox.splice(0)) p.reject(new SendError('closed', 'the client was closed'));
  }

  /** The connection went away: sends wait for the next one. */
  disconnected(): void {
    this.synced = false;
  }

  onNew(m: MessageView): void {
    if (m.channel !== 'main' || !this.started) return;
    for (const added of this.log.append([m])) this.emit('message', added);
    if (this.log.aheadMax > this.log.last) void this.catchUp();
  }

  onChange(m: MessageView, event: 'message:updated' | 'message:deleted' | 'message:pinned'): void {
    if (m.channel !== 'main') return;
    const changed = this.log.update(m);
    if (changed) this.emit('update', changed);
    if (event === 'message:pinned') void this.refreshPins();
  }

  onReaction(u: ReactionUpdate): void {
    const changed = this.log.react(u.message_id, u.reactions, u.version);
    if (changed) this.emit('update', changed);
  }

  onRenamed(r: ParticipantRenamed): void {
    if (r.participant_id === readClaims(this.sessionToken)?.sub) this.renamedTo = r.username;
    this.emit('renamed', r);
  }

  onPresence(p: PresenceUpdate): void {
    this.online = p.online;
    this.emit('presence', p.online);
  }

  // ---- inside ----

  /** The join ack's synchronous part: where the stream goes on from, and what it missed. */
  private accept(ack: JoinResult): void {
    if (!this.started) {
      this.started = true;
      this.log.last = ack.last_seq; // the stream goes on from here; older ones come by loadOlder
    } else {
      for (const added of this.log.append(ack.missed)) this.emit('message', added);
      for (const m of ack.changed) this.onChange(m, 'message:updated');
    }
  }

  private async joined(ack: JoinResult, epoch: number, first: boolean): Promise<void> {
    try {
      if (!first && !ack.recovered) await this.page(ack.last_seq);
      if (first || (this.messages.length === 0 && this.hasOlder)) await this.loadOlder();
      this.version = ack.version;
      if (epoch !== this.host.epoch) return;
      this.synced = true;
      this.flush();
      this.settle.resolve(this);
      this.emit('synced');
      void this.refreshPins();
      void this.host.api.online(this.code, this.sessionToken).then(
        (r) => this.onPresence({ chat_code: this.code, code: this.code, online: r.online }),
        () => undefined,
      );
    } catch (err) {
      if (first) this.settle.reject(err as Error);
      this.emit('error', err as Error);
    }
  }

  /**
   * The server could not replay everything (recovered: false): page the rest up to `lastSeq`, then
   * read the held messages again for the edits, deletes and reactions the join could not list.
   */
  private async page(lastSeq: number): Promise<void> {
    const held = { from: this.log.first, to: this.log.last };
    await this.catchUp(lastSeq);
    for (let after = held.from - 1, round = 0; after < held.to && round < 1000; round++) {
      const page = await retrying(() => this.host.api.history(this.code, { after, limit: PAGE }, this.sessionToken));
      for (const m of page.messages) if (m.seq <= held.to) this.onChange(m, 'message:updated');
      if (!page.messages.length) break;
      after = page.messages[page.messages.length - 1].seq;
    }
  }

  /** Fills the stream from history: up to `to`, or until what waits behind a gap joins it. */
  private catchUp(to = 0): Promise<void> {
    if (this.catchingUp) return this.catchingUp.then(() => (this.log.last < to ? this.catchUp(to) : undefined));
    const run = async () => {
      for (let round = 0; round < 1000 && this.log.last < Math.max(to, this.log.aheadMax); round++) {
        const page = await retrying(() => this.host.api.history(this.code, { after: this.log.last, limit: PAGE }, this.sessionToken));
        for (const added of this.log.append(page.messages)) this.emit('message', added);
        if (!page.messages.length) break;
      }
    };
    this.catchingUp = run().finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  /** Sends what waits, in the order it was sent, once this connection has joined. */
  private flush(): void {
    const socket = this.host.socket;
    if (!this.synced || !socket?.connected) return;
    const epoch = this.host.epoch;
    for (const p of this.outbox) {
      if (p.sentOn === epoch || p.holding) continue;
      p.sentOn = epoch;
      const payload = { code: this.code, content: p.content, client_id: p.client_id, reply_to: p.reply_to };
      socket.timeout(ACK_TIMEOUT_MS).emit('message:send', payload, (err: Error | null, ack: Ack<{ message: MessageView }>) => {
        if (!this.outbox.includes(p)) return;
        if (err) {
          // No ack: on this connection, send it again; after a reconnect the next sync already does.
          if (epoch === this.host.epoch) this.hold(p, 0);
        } else if (ack.ok) {
          this.outbox.splice(this.outbox.indexOf(p), 1);
          p.resolve(ack.message);
        } else if (isTransient(ack.error)) {
          this.hold(p, (ack.error.retry_after ?? 1) * 1000);
        } else {
          this.outbox.splice(this.outbox.indexOf(p), 1);
          p.reject(new SendError(ack.error.code, ack.error.message));
        }
      });
    }
  }

  private hold(p: PendingSend, ms: number): void {
    p.sentOn = -1;
    p.holding = true;
    setTimeout(() => {
      p.holding = false;
      this.flush();
    }, ms);
  }

  private async refreshPins(): Promise<void> {
    try {
      this.pinned = (await this.host.api.pinned(this.code, this.sessionToken)).pinned;
      this.emit('pins', this.pinned);
    } catch {
      // a background read; the next pin event or sync reads them again
    }
  }

  private applied(m: MessageView): MessageView {
    const changed = this.log.update(m);
    if (changed) this.emit('update', changed);
    return m;
  }

  private token(): string {
    if (!this.sessionToken)
      throw new SendError('unauthorized', `no session token for ${this.code}: join it with a username or a sessionToken`);
    return this.sessionToken;
  }
}
