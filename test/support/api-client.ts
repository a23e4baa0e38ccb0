import { restContract } from './api-contract';

/** A small JSON client for the REST API, as a real client would call it. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    readonly base: string,
    public token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.base, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    // Every response the suite receives is checked against the server's own openapi.json.
    const contract = await restContract(this.base);
    const mismatch = contract?.check(method, path, res.status, res.headers.get('content-type'), parsed);
    if (mismatch) throw new Error(mismatch);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body ?? {});
  }
  delete<T = any>(path: string, body?: unknown) {
    return this.request<T>('DELETE', path, body);
  }
}

let counter = 0;
/** A unique, valid account name for one test. */
export function uniqueName(prefix = 'u'): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.slice(0, 32);
}

/** Registers a host, creates a chat and joins it; returns the host's clients and the chat code. */
export async function chatWithHost(base: string): Promise<{ code: string; user: ApiClient; host: ApiClient; username: string }> {
  const api = new ApiClient(base);
  const username = uniqueName('host');
  const reg = await api.post('/api/auth/register', { username, password: 'correct-horse-1' });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const user = api.withToken(reg.body.token);
  const chat = await user.post('/api/chats', { name: 'Test room' });
  if (chat.status !== 201) throw new Error(`create chat failed: ${chat.status} ${JSON.stringify(chat.body)}`);
  const join = await user.post(`/api/chats/${chat.body.code}/join`, { username });
  if (join.status !== 200) throw new Error(`join failed: ${join.status} ${JSON.stringify(join.body)}`);
  return { code: chat.body.code, user, host: api.withToken(join.body.session_token), username };
}

/** Joins a chat anonymously under a fresh name. */
export async function guest(base: string, code: string, name = uniqueName('g')): Promise<ApiClient> {
  const join = await new ApiClient(base).post(`/api/chats/${code}/join`, { username: name });
  if (join.status !== 200) throw new Error(`join failed: ${join.status} ${JSON.stringify(join.body)}`);
  return new ApiClient(base, join.body.session_token);
}
