import { expect } from 'chai';
import { ApiClient, chatWithHost, guest, startStack, startTestApp, uniqueName, useTestApp, type ApiResponse } from '../support';

function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body).to.have.property('error');
  expect(res.body.error.code).to.equal(code);
  expect(res.body.error.message).to.be.a('string').and.not.empty;
}

describe('bad input gets the contract error object and stores nothing', function () {
  this.timeout(30_000);
  let code: string;
  let host: ApiClient;
  let user: ApiClient;
  let messageId: string;

  const app = useTestApp('sqlite+memory');
  before(async () => {
    const t = app();
    ({ code, host, user } = await chatWithHost(t.base));
    messageId = (await host.post(`/api/chats/${code}/messages`, { content: 'the only message' })).body.id;
  });
  afterEach(async () => {
    // Whatever a bad request tried, the chat still holds exactly its one message.
    const page = await host.get(`/api/chats/${code}/messages`);
    expect(page.body.messages.map((m: { content: string }) => m.content)).to.deep.equal(['the only message']);
  });

  const send = (body: unknown, client = host, chat = code) => client.request('POST', `/api/chats/${chat}/messages`, body);

  it('refuses empty and whitespace-only content', async () => {
    expectError(await send({ content: '' }), 400, 'invalid_input');
    expectError(await send({ content: ' \n\t ' }), 400, 'invalid_input');
  });

  it('refuses content over 4000 characters with 413, never truncating', async () => {
    expectError(await send({ content: 'x'.repeat(4001) }), 413, 'payload_too_large');
  });

  it('counts characters, not UTF-16 units: 4000 emoji fit, 4001 do not', async () => {
    const t = app();
    const other = await chatWithHost(t.base);
    expect((await send({ content: '😀'.repeat(4000) }, other.host, other.code)).status).to.equal(201);
    expectError(await send({ content: '😀'.repeat(4001) }, other.host, other.code), 413, 'payload_too_large');
  });

  it('refuses content and chat names holding text the database cannot store: U+0000 and unpaired surrogates', async () => {
    const t = app();
    for (const bad of ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low', 'reversed \udc00\ud800 pair']) {
      expectError(await send({ content: bad }), 400, 'invalid_input');
      expectError(await host.request('PATCH', `/api/chats/${code}/messages/${messageId}`, { content: bad }), 400, 'invalid_input');
      expectError(await user.post('/api/chats', { name: bad }), 400, 'invalid_input');
    }
    // A pair is one character, and is stored.
    const other = await chatWithHost(t.base);
    expect((await send({ content: 'paired \ud83d\ude00' }, other.host, other.code)).status).to.equal(201);
  });

  it('refuses wrong types and unknown channels', async () => {
    expectError(await send({ content: 42 }), 400, 'invalid_input');
    expectError(await send({ content: 'x', channel: 'attic' }), 400, 'invalid_input');
    expectError(await send({ content: 'x', reply_to: 'not-a-uuid' }), 400, 'invalid_input');
    expectError(await send({ content: 'x', client_id: 'has spaces' }), 400, 'invalid_input');
    expectError(await send([1, 2]), 400, 'invalid_input');
  });

  it('refuses a reply to a message of another chat', async () => {
    expectError(await send({ content: 'x', reply_to: '00000000-0000-4000-8000-000000000000' }), 400, 'invalid_input');
  });

  it('refuses malformed JSON and bodies over the size limit', async () => {
    expectError(await host.request('POST', `/api/chats/${code}/messages`, '{"content": '), 400, 'invalid_input');
    expectError(
      await host.request('POST', `/api/chats/${code}/messages`, JSON.stringify({ content: 'x'.repeat(70_000) })),
      413,
      'payload_too_large',
    );
  });

  it('refuses missing, forged and foreign tokens', async () => {
    const t = app();
    expectError(await send({ content: 'x' }, new ApiClient(t.base)), 401, 'unauthorized');
    expectError(await send({ content: 'x' }, new ApiClient(t.base, 'not.a.jwt')), 401, 'unauthorized');
    const forged = host.token!.slice(0, -4) + (host.token!.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expectError(await send({ content: 'x' }, new ApiClient(t.base, forged)), 401, 'unauthorized');
    expectError(await send({ content: 'x' }, user), 401, 'unauthorized'); // a user token is not a session token
    const other = await chatWithHost(t.base);
    expectError(await send({ content: 'x' }, other.host), 403, 'forbidden');
  });

  it('refuses bad history cursors and limits', async () => {
    expectError(await host.get(`/api/chats/${code}/messages?limit=0`), 400, 'invalid_input');
    expectError(await host.get(`/api/chats/${code}/messages?limit=201`), 400, 'invalid_input');
    expectError(await host.get(`/api/chats/${code}/messages?before=abc`), 400, 'invalid_input');
    expectError(await host.get(`/api/chats/${code}/messages?before=5&after=1`), 400, 'invalid_input');
    expectError(await host.get(`/api/chats/${code}/messages?after=-1`), 400, 'invalid_input');
    for (const query of ['limit=0x10', 'limit=1e2', 'limit=%20%205', 'after=', 'before=', 'limit=1&limit=2']) {
      expectError(await host.get(`/api/chats/${code}/messages?${query}`), 400, 'invalid_input');
    }
    expect((await host.get(`/api/chats/${code}/messages?limit=5&after=0`)).status).to.equal(200);
  });

  it('answers not_found for unknown chats, messages and routes, and invalid_input for malformed codes', async () => {
    expectError(await host.get('/api/chats/ZZZZZZZZ'), 404, 'not_found');
    expectError(await host.get('/api/chats/ZZZZZZZZ/messages'), 404, 'not_found');
    expectError(await host.get('/api/chats/bad!/messages'), 400, 'invalid_input');
    expectError(await host.patch(`/api/chats/${code}/messages/00000000-0000-4000-8000-000000000000`, { content: 'x' }), 404, 'not_found');
    expectError(await host.get('/api/nothing-here'), 404, 'not_found');
  });

  it('answers a method a route does not have with 405, its Allow header and the error object; an unknown method with 501', async () => {
    for (const [method, path] of [
      ['DELETE', `/api/chats/${code}`],
      ['PUT', `/api/chats/${code}/messages`],
      ['POST', '/health'],
    ]) {
      const res = await host.request(method, path);
      expectError(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow')).to.include('GET');
    }
    expectError(await host.request('PROPFIND', `/api/chats/${code}`), 501, 'not_implemented');
  });

  it('refuses a body that is not JSON, instead of reading it as no fields', async () => {
    const res = await host.request('POST', `/api/chats/${code}/messages`, 'content=hello', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectError(res, 400, 'invalid_input');
    expect(res.body.error.message).to.contain('JSON');
  });

  it('refuses a body that does not decompress as its Content-Encoding says', async () => {
    const res = await host.request('POST', `/api/chats/${code}/messages`, { content: 'plain, not gzip' }, { 'content-encoding': 'gzip' });
    expectError(res, 400, 'invalid_input');
  });

  it('refuses a body sent as Content-Encoding: br that is not brotli with 400, as for gzip (#22 hygiene; it was a 500)', async () => {
    // Plain JSON is malformed brotli (not merely cut short, which zlib reports as for gzip).
    const res = await host.request('POST', `/api/chats/${code}/messages`, { content: 'plain, not brotli' }, { 'content-encoding': 'br' });
    expectError(res, 400, 'invalid_input');
  });

  it('names an unsupported Content-Encoding instead of asking for JSON', async () => {
    const zstd = await host.request('POST', `/api/chats/${code}/messages`, { content: 'hello' }, { 'content-encoding': 'zstd' });
    expectError(zstd, 400, 'invalid_input');
    expect(zstd.body.error.message).to.equal('Content-Encoding zstd is not supported: send identity, gzip, deflate or br');
  });

  it('lets only the author or the host edit or delete', async () => {
    const t = app();
    const g = await guest(t.base, code);
    expectError(await g.patch(`/api/chats/${code}/messages/${messageId}`, { content: 'hijack' }), 403, 'forbidden');
    expectError(await g.delete(`/api/chats/${code}/messages/${messageId}`), 403, 'forbidden');
    expectError(await host.patch(`/api/chats/${code}/messages/${messageId}`, { content: '' }), 400, 'invalid_input');
  });

  it('refuses bad pins and reactions', async () => {
    expectError(
      await host.post(`/api/chats/${code}/messages/${messageId}/pin`, { amount_cents: -1, duration_minutes: 10 }),
      400,
      'invalid_input',
    );
    expectError(
      await host.post(`/api/chats/${code}/messages/${messageId}/pin`, { amount_cents: 100, duration_minutes: 0 }),
      400,
      'invalid_input',
    );
    expectError(await host.post(`/api/chats/${code}/messages/${messageId}/pin`, { amount_cents: 100 }), 400, 'invalid_input');
    for (const emoji of ['not an emoji', '0', '*', '\u200d', '\ufe0f', '👍👍']) {
      expectError(await host.post(`/api/chats/${code}/messages/${messageId}/reactions`, { emoji }), 400, 'invalid_input');
    }
    expectError(await host.post(`/api/chats/${code}/messages/${messageId}/reactions`, {}), 400, 'invalid_input');
  });

  it('refuses bad registrations, logins, chat names and joins', async () => {
    const t = app();
    const api = new ApiClient(t.base);
    expectError(await api.post('/api/auth/register', { username: 'ab', password: 'long-enough-1' }), 400, 'invalid_input');
    expectError(await api.post('/api/auth/register', { username: uniqueName(), password: 'short' }), 400, 'invalid_input');
    expectError(await api.post('/api/auth/login', { username: uniqueName(), password: 'whatever-123' }), 401, 'unauthorized');
    expectError(await user.post('/api/chats', { name: '' }), 400, 'invalid_input');
    expectError(await api.post('/api/chats', { name: 'no token' }), 401, 'unauthorized');
    expectError(await api.post(`/api/chats/${code}/join`, { username: 'has space' }), 400, 'invalid_input');
  });

  it('refuses a registered username to anyone but its owner, and a taken name twice', async () => {
    const t = app();
    const api = new ApiClient(t.base);
    const name = uniqueName('owner');
    expect((await api.post('/api/auth/register', { username: name, password: 'long-enough-1' })).status).to.equal(201);
    expectError(await api.post('/api/auth/register', { username: name.toUpperCase(), password: 'long-enough-1' }), 409, 'conflict');
    expectError(await api.post(`/api/chats/${code}/join`, { username: name }), 403, 'forbidden');
    expectError(await api.post(`/api/chats/${code}/join`, { username: name.toUpperCase() }), 403, 'forbidden');
  });

  it('refuses a taken anonymous name to anyone but the participant holding it', async () => {
    const t = app();
    const api = new ApiClient(t.base);
    const name = uniqueName('anon');
    const first = await api.post(`/api/chats/${code}/join`, { username: name });
    expect(first.status).to.equal(200);
    expectError(await api.post(`/api/chats/${code}/join`, { username: name }), 409, 'conflict');
    expectError(await api.post(`/api/chats/${code}/join`, { username: name.toUpperCase() }), 409, 'conflict');
    const again = await api.withToken(first.body.session_token).post(`/api/chats/${code}/join`, { username: name });
    expect(again.status).to.equal(200);
    expect(again.body.participant.id).to.equal(first.body.participant.id);
  });

  it('limits sends per participant with 429 and Retry-After', async () => {
    const limited = await startTestApp(await startStack('sqlite+memory'), { SEND_RATE_LIMIT: '3' });
    try {
      const c = await chatWithHost(limited.base);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await c.host.post(`/api/chats/${c.code}/messages`, { content: `m${i}` }));
      expect(results.map((r) => r.status)).to.deep.equal([201, 201, 201, 429, 429]);
      expectError(results[3], 429, 'rate_limited');
      expect(Number(results[3].headers.get('retry-after'))).to.be.at.least(1);
      const page = await c.host.get(`/api/chats/${c.code}/messages`);
      expect(page.body.messages).to.have.length(3);
    } finally {
      await limited.close();
      await limited.stack.dispose();
    }
  });
});

describe('validation messages', () => {
  it('say "is required" only for a missing field, and name the received type otherwise', async () => {
    const { parseInput, sendInput } = await import('../../src/chat/inputs');
    expect(() => parseInput(sendInput, {})).to.throw('content: is required');
    expect(() => parseInput(sendInput, { content: 7 })).to.throw('content: expected string, received number');
  });
});
