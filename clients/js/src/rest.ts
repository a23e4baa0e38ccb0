// The REST calls the SDK makes (docs/contract.md "REST"): JSON in and out, `Authorization: Bearer`.
import type { AuthAnswer, ChatInfo, ChatJoinAnswer, Conversation, HistoryPage, MessageView } from './types';

/** A REST answer other than 2xx, with the contract's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** seconds, with `rate_limited` */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Worth trying again: the server is restarting, unreachable, busy or rate-limiting. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** Typed REST calls against one server; `token` (user or session) goes as a bearer token. */
export class Api {
  constructor(readonly url: string) {}

  async request<T>(method: string, path: string, token?: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url.replace(/\/$/, '') + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, 'unreachable', `${method} ${path}: ${(err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; retry_after?: number } } | undefined)?.error;
      const retry = Number(res.headers.get('retry-after')) || e?.retry_after;
      throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `${method} ${path}: ${res.status}`, retry);
    }
    return json as T;
  }

  register(username: string, password: string) {
    return this.request<AuthAnswer>('POST', '/api/auth/register', null, { username, password });
  }
  login(username: string, password: string) {
    return this.request<AuthAnswer>('POST', '/api/auth/login', null, { username, password });
  }
  refresh(userToken: string) {
    return this.request<AuthAnswer>('POST', '/api/auth/refresh', userToken);
  }
  /** A new chat with the user as its host (user token). */
  createChat(userToken: string, name: string) {
    return this.request<ChatInfo>('POST', '/api/chats', userToken, { name });
  }
  /** Joins as `username` → a session token; a user token claims the user's reserved name. */
  joinChat(code: string, username: string, token?: string | null) {
    return this.request<ChatJoinAnswer>('POST', `/api/chats/${enc(code)}/join`, token, { username });
  }
  chatInfo(code: string, token?: string | null) {
    return this.request<ChatInfo>('GET', `/api/chats/${enc(code)}`, token);
  }
  history(code: string, query: { before?: number; after?: number; limit?: number }, token?: string | null) {
    const q = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    return this.request<HistoryPage>('GET', `/api/chats/${enc(code)}/messages?${q}`, token);
  }
  pinned(code: string, token?: string | null) {
    return this.request<{ pinned: MessageView[] }>('GET', `/api/chats/${enc(code)}/pinned`, token);
  }
  online(code: string, token?: string | null) {
    return this.request<{ online: string[] }>('GET', `/api/chats/${enc(code)}/online`, token);
  }
  edit(code: string, id: string, content: string, sessionToken: string) {
    return this.request<MessageView>('PATCH', `/api/chats/${enc(code)}/messages/${enc(id)}`, sessionToken, { content });
  }
  delete(code: string, id: string, sessionToken: string) {
    return this.request<MessageView>('DELETE', `/api/chats/${enc(code)}/messages/${enc(id)}`, sessionToken);
  }
  pin(code: string, id: string, amountCents: number, durationMinutes: number, sessionToken: string) {
    return this.request<MessageView>('POST', `/api/chats/${enc(code)}/messages/${enc(id)}/pin`, sessionToken, {
      amount_cents: amountCents,
      duration_minutes: durationMinutes,
    });
  }
  markRead(code: string, seq: number, sessionToken: string) {
    return this.request<{ unread: number; last_read_seq: number }>('POST', `/api/chats/${enc(code)}/read`, sessionToken, { seq });
  }
  conversations(userToken: string) {
    return this.request<{ conversations: Conversation[] }>('GET', '/api/me/conversations', userToken);
  }
  openConversation(userToken: string, withUser: string) {
    return this.request<{ code: string; name: string }>('POST', '/api/conversations', userToken, { with: withUser });
  }
}

const enc = encodeURIComponent;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
