// The connection: one socket.io socket for every chat the client joined, rejoined after each
// reconnect (a server restart included), the inbox of a signed-in user, and token refresh.
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { Chat, type ChatHost } from './chat';
import { readClaims, type Claims } from './claims';
import { Emitter } from './emitter';
import { Inbox } from './inbox';
import { Api } from './rest';
import type { ChatSocket } from './socket';

export interface ConnectOptions {
  /** the server, e.g. `http://localhost:3000` (a page served by it: `location.origin`) */
  url: string;
  /** a user token (signed in) or a chat's session token; without one, the first join's session token is used */
  token?: string;
  /** told every renewed user token, to store it */
  onToken?: (token: string) => void;
  /** renew a user token this long before it expires. @default 86_400_000 (a day) */
  refreshBeforeMs?: number;
  /** passed to socket.io-client. @default { transports: ['websocket'] } */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

/** idle: no token yet; reconnecting: the connection was lost (or refused) and is being made again. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ClientEvents {
  state: [ConnectionState];
  /** a renewed user token */
  token: [string];
  /** a connection refused for good (e.g. a revoked token) */
  error: [Error & { data?: { code: string; message: string } }];
}

/** Starts a client; it connects as soon as it has a token. */
export function connect(opts: ConnectOptions): ChatPopClient {
  return new ChatPopClient(opts);
}

export class ChatPopClient extends Emitter<ClientEvents> implements ChatHost {
  readonly api: Api;
  /** a signed-in user's chats with unread counts (empty for anonymous clients) */
  readonly inbox: Inbox;
  state: ConnectionState = 'idle';
  socket: ChatSocket | null = null;
  epoch = 0;
  private readonly chats = new Map<string, Chat>();
  /** joins still asking for their session token */
  private readonly joining = new Map<string, Promise<Chat>>();
  private tokenValue: string | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: ConnectOptions) {
    super();
    this.api = new Api(opts.url);
    this.tokenValue = opts.token;
    this.inbox = new Inbox(this.api, () => (this.claims()?.typ === 'user' ? this.tokenValue : undefined));
    if (this.tokenValue) this.open();
  }

  /** The token the socket connects with (renewed by refreshToken for users). */
  get token(): string | undefined {
    return this.tokenValue;
  }

  /** The signed-in user's or the session's name, read from the token. */
  get username(): string | undefined {
    return this.claims()?.username;
  }

  /**
   * Joins chat `code` and resolves once its newest page is loaded and live messages flow. A user
   * token joins under the user's name; an anonymous client passes the chat's `sessionToken`, or a
   * `username` to join the chat as (over REST) first.
   */
  async join(code: string, opts: { sessionToken?: string; username?: string } = {}): Promise<Chat> {
    code = code.trim().toUpperCase();
    const existing = this.chats.get(code);
    if (existing) return existing.ready;
    let joining = this.joining.get(code);
    if (!joining) {
      this.joining.set(code, (joining = this.start(code, opts).finally(() => this.joining.delete(code))));
    }
    return joining;
  }

  private async start(code: string, opts: { sessionToken?: string; username?: string }): Promise<Chat> {
    let sessionToken = opts.sessionToken;
    const claims = this.claims();
    if (!sessionToken && claims?.typ === 'session' && claims.code === code) sessionToken = this.tokenValue;
    if (!sessionToken && (opts.username || claims?.typ === 'user')) {
      const asUser = claims?.typ === 'user' ? this.tokenValue : undefined;
      sessionToken = (await this.api.joinChat(code, opts.username ?? claims!.username, asUser)).session_token;
    }
    if (!this.tokenValue) this.tokenValue = sessionToken;
    if (!this.tokenValue) throw new Error(`join ${code}: connect with a token, or pass a sessionToken or a username`);
    const chat = new Chat(this, code, sessionToken);
    this.chats.set(code, chat);
    if (!this.socket) this.open();
    else if (this.socket.connected) void chat.sync();
    return chat.ready;
  }

  /** A joined chat. */
  chat(code: string): Chat | undefined {
    return this.chats.get(code.toUpperCase());
  }

  /** Renews a user token (POST /api/auth/refresh); later reconnects use the new one. */
  async refreshToken(): Promise<string> {
    if (this.claims()?.typ !== 'user') throw new Error('only a user token is refreshed');
    const { token } = await this.api.refresh(this.tokenValue!);
    this.tokenValue = token;
    this.scheduleRefresh();
    this.opts.onToken?.(token);
    this.emit('token', token);
    return token;
  }

  /** Closes the connection for good. */
  close(): void {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.retryTimer);
    this.epoch++;
    this.socket?.close();
    for (const chat of this.chats.values()) chat.closed();
    this.setState('closed');
  }

  forget(chat: Chat): void {
    if (this.chats.get(chat.code) === chat) this.chats.delete(chat.code);
  }

  readMarked(code: string, unread: number): void {
    this.inbox.setUnread(code, unread);
  }

  private open(): void {
    this.setState('connecting');
    this.scheduleRefresh();
    const socket: ChatSocket = io(this.opts.url, {
      auth: (cb) => cb({ token: this.tokenValue }),
      transports: ['websocket'],
      reconnectionDelay: 300,
      reconnectionDelayMax: 3000,
      ...this.opts.socket,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.epoch++;
      this.setState('connected');
      for (const chat of this.chats.values()) void chat.sync();
      void this.inbox.reload();
    });
    socket.on('disconnect', (reason) => {
      this.epoch++;
      for (const chat of this.chats.values()) chat.disconnected();
      if (reason === 'io client disconnect') return;
      this.setState('reconnecting');
      // A server that ends the connection itself (draining) is not reconnected by socket.io.
      if (reason === 'io server disconnect') this.retry(500);
    });
    socket.on('connect_error', (err: Error & { data?: { code: string; message: string } }) => {
      if (this.state === 'connected') this.setState('reconnecting');
      if (socket.active) return; // socket.io tries again by itself
      // Refused by the server: a draining pod says unavailable (try again); a bad token is final.
      if (err.data?.code === 'unauthorized' || err.data?.code === 'forbidden') {
        this.emit('error', err);
        this.close();
      } else this.retry(1000);
    });
    socket.on('message:new', (m) => this.chats.get(m.chat_code)?.onNew(m));
    socket.on('message:updated', (m) => this.chats.get(m.chat_code)?.onChange(m, 'message:updated'));
    socket.on('message:deleted', (m) => this.chats.get(m.chat_code)?.onChange(m, 'message:deleted'));
    socket.on('message:pinned', (m) => this.chats.get(m.chat_code)?.onChange(m, 'message:pinned'));
    socket.on('reaction:updated', (u) => this.chats.get(u.chat_code)?.onReaction(u));
    socket.on('presence:updated', (p) => this.chats.get(p.chat_code)?.onPresence(p));
    socket.on('participant:renamed', (r) => this.chats.get(r.chat_code)?.onRenamed(r));
    socket.on('inbox:updated', (u) => this.inbox.onUpdate(u));
    socket.on('conversation:created', () => void this.inbox.reload());
  }

  private retry(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.state !== 'closed' && !this.socket?.connected) this.socket?.connect();
    }, ms);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.emit('state', state);
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const claims = this.claims();
    if (claims?.typ !== 'user' || !claims.exp) return;
    const inMs = claims.exp * 1000 - Date.now() - (this.opts.refreshBeforeMs ?? 86_400_000);
    // setTimeout holds at most 2^31-1 ms; a later renewal is scheduled again when this one fires.
    const timer = setTimeout(
      () => {
        if (claims.exp! * 1000 - Date.now() > (this.opts.refreshBeforeMs ?? 86_400_000)) this.scheduleRefresh();
        else this.refreshToken().catch(() => this.retryRefresh());
      },
      Math.min(Math.max(inMs, 1000), 2 ** 31 - 1),
    );
    (timer as { unref?: () => void }).unref?.();
    this.refreshTimer = timer;
  }

  private retryRefresh(): void {
    const timer = setTimeout(() => this.refreshToken().catch(() => this.retryRefresh()), 60_000);
    (timer as { unref?: () => void }).unref?.();
    this.refreshTimer = timer;
  }

  private claims(): Claims | undefined {
    return readClaims(this.tokenValue);
  }
}
