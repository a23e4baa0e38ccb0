import { expect } from 'chai';
import { Chat, Participant } from '../../src/domain';
import { ApiClient, chatWithHost, useTestApp } from '../support';
import { converse, expectError, joinAs, registerUser, send, type TestUser } from '../support/users';

describe('bad input on the user routes gets the contract error object and changes nothing', function () {
  this.timeout(30_000);
  let a: TestUser;
  let b: TestUser;
  let code: string;
  let sb: ApiClient;

  const app = useTestApp('sqlite+memory');
  before(async () => {
    const t = app();
    [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
    code = await converse(a, b);
    sb = await joinAs(b, code);
    await send(await joinAs(a, code), code, 'one');
  });

  /** Whatever a bad request tried: a has one chat, b's marker is unmoved, names are as registered. */
  afterEach(async () => {
    const t = app();
    const em = t.app.orm.em.fork();
    expect(await em.count(Participant, { userId: a.id })).to.equal(1);
    expect((await em.findOneOrFail(Participant, { userId: b.id })).lastReadSeq).to.equal(0);
    expect(await em.count(Chat, { kind: 'direct' })).to.equal(1);
    expect((await a.api.get('/api/me')).body.username).to.equal(a.username);
  });

  const anonymous = () => new ApiClient(app().base);
  const forged = () => new ApiClient(app().base, a.api.token!.slice(0, -4) + (a.api.token!.endsWith('AAAA') ? 'BBBB' : 'AAAA'));

  describe('POST /api/conversations', () => {
    const open = (body: unknown, client = a.api) => client.request('POST', '/api/conversations', body);

    it('refuses missing fields and wrong types', async () => {
      expectError(await open({}), 400, 'invalid_input');
      expectError(await open({ with: 42 }), 400, 'invalid_input');
      expectError(await open({ with: null }), 400, 'invalid_input');
      expectError(await open({ with: ['x'] }), 400, 'invalid_input');
      expectError(await open({ with: '' }), 400, 'invalid_input');
      expectError(await open({ with: 'has space' }), 400, 'invalid_input');
      expectError(await open({ with: 'x'.repeat(33) }), 400, 'invalid_input');
      expectError(await open([b.username]), 400, 'invalid_input');
      expectError(await open('{"with": '), 400, 'invalid_input');
    });

    it('answers not_found for an unknown user and invalid_input for oneself', async () => {
      const unknown = await open({ with: 'nobody_here_at_all' });
      expectError(unknown, 404, 'not_found');
      expectError(await open({ with: a.username }), 400, 'invalid_input');
      expectError(await open({ with: a.username.toUpperCase() }), 400, 'invalid_input');
    });

    it('needs a user token', async () => {
      expectError(await open({ with: b.username }, anonymous()), 401, 'unauthorized');
      expectError(await open({ with: b.username }, forged()), 401, 'unauthorized');
      expectError(await open({ with: b.username }, sb), 401, 'unauthorized'); // a session token is not a user token
    });
  });

  describe('GET /api/me, /api/me/conversations, /api/me/unread-count', () => {
    it('need a user token', async () => {
      for (const path of ['/api/me', '/api/me/conversations', '/api/me/unread-count']) {
        expectError(await anonymous().get(path), 401, 'unauthorized');
        expectError(await forged().get(path), 401, 'unauthorized');
        expectError(await sb.get(path), 401, 'unauthorized');
      }
    });
  });

  describe('PATCH /api/me', () => {
    it('refuses missing fields, wrong types and a different name', async () => {
      expectError(await a.api.patch('/api/me', {}), 400, 'invalid_input');
      expectError(await a.api.patch('/api/me', { display_name: 7 }), 400, 'invalid_input');
      expectError(await a.api.patch('/api/me', { display_name: b.username }), 400, 'invalid_input');
      expectError(await anonymous().patch('/api/me', { display_name: a.username }), 401, 'unauthorized');
    });
  });

  describe('GET /api/users/:username', () => {
    it('refuses malformed names and answers not_found for unknown ones', async () => {
      expectError(await a.api.get('/api/users/x'), 400, 'invalid_input');
      expectError(await a.api.get('/api/users/has%20space'), 400, 'invalid_input');
      expectError(await a.api.get('/api/users/nobody_here_at_all'), 404, 'not_found');
      expectError(await anonymous().get(`/api/users/${b.username}`), 401, 'unauthorized');
    });
  });

  describe('POST /api/chats/:code/read', () => {
    const read = (body: unknown, client = sb, chat = code) => client.request('POST', `/api/chats/${chat}/read`, body);

    it('refuses missing fields and wrong types', async () => {
      expectError(await read({}), 400, 'invalid_input');
      expectError(await read({ seq: '1' }), 400, 'invalid_input');
      expectError(await read({ seq: null }), 400, 'invalid_input');
      expectError(await read({ seq: -1 }), 400, 'invalid_input');
      expectError(await read({ seq: 1.5 }), 400, 'invalid_input');
      expectError(await read([1]), 400, 'invalid_input');
    });

    it('refuses a seq beyond the chat’s last seq', async () => {
      const res = await read({ seq: 2 });
      expectError(res, 400, 'invalid_input');
      expect(res.body.error.message).to.match(/last seq 1/);
    });

    it('refuses malformed codes, missing tokens and sessions of other chats', async () => {
      const t = app();
      expectError(await read({ seq: 1 }, sb, 'nope'), 400, 'invalid_input');
      expectError(await read({ seq: 1 }, anonymous()), 401, 'unauthorized');
      expectError(await read({ seq: 1 }, b.api), 401, 'unauthorized'); // a user token is not a session token
      const other = await chatWithHost(t.base);
      expectError(await read({ seq: 1 }, other.host), 403, 'forbidden');
      expectError(await read({ seq: 1 }, sb, other.code), 403, 'forbidden');
    });
  });
});
