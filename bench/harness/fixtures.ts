// The chats a bench run uses, made through ChatPop's own REST API: one registered host creates
// every chat (registration is rate-limited per address), guests join under fresh names.
import { ApiClient } from '../../test/support/api-client';
import { benchContent } from '../load/bare-message';

export interface Room {
  code: string;
  /** session tokens of the room's participants, one per socket */
  tokens: string[];
}

export class Fixtures {
  private constructor(
    private readonly api: ApiClient,
    private readonly host: ApiClient,
  ) {}

  static async create(base: string): Promise<Fixtures> {
    const api = new ApiClient(base);
    const username = `bench${Date.now().toString(36)}`;
    const reg = await api.post('/api/auth/register', { username, password: 'bench-password-1' });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    return new Fixtures(api, api.withToken(reg.body.token));
  }

  /** A new chat with `participants` guests; their session tokens in join order. */
  async room(participants: number, prefix = 'p'): Promise<Room> {
    const chat = await this.host.post('/api/chats', { name: 'Bench room' });
    if (chat.status !== 201) throw new Error(`create chat: ${chat.status} ${JSON.stringify(chat.body)}`);
    const code = chat.body.code as string;
    const tokens: string[] = [];
    for (let i = 0; i < participants; i++) {
      const join = await this.api.post(`/api/chats/${code}/join`, { username: `${prefix}${i}` });
      if (join.status !== 200) throw new Error(`join ${code}: ${join.status} ${JSON.stringify(join.body)}`);
      tokens.push(join.body.session_token);
    }
    return { code, tokens };
  }

  async rooms(count: number, participants: number): Promise<Room[]> {
    return Promise.all(Array.from({ length: count }, () => this.room(participants)));
  }

  /** Sends `count` messages over REST, `concurrency` at a time, as one participant of `room`. */
  async seed(room: Room, count: number, concurrency = 16): Promise<void> {
    const client = this.api.withToken(room.tokens[0]!);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = next++;
          const res = await client.post(`/api/chats/${room.code}/messages`, { content: benchContent(`history ${i}`) });
          if (res.status !== 201) throw new Error(`seed ${room.code}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
  }

  async get(path: string): Promise<{ status: number; body: any }> {
    return this.api.get(path);
  }
}
