import { expect } from 'chai';
import { buildAsyncApi, buildOpenApi } from '../../src/api-docs';
import { RestContract, SocketContract } from './api-contract';

// The suite's check of every response against the served descriptions (ApiClient, the realtime helpers).
describe('the response check against the API descriptions', () => {
  const rest = new RestContract(buildOpenApi());
  const socket = new SocketContract(buildAsyncApi());
  const JSON_TYPE = 'application/json; charset=utf-8';
  const user = { id: '0b6f4b7e-2f7e-4b8e-9d5a-3c1f8a2e4d10', username: 'alice', created_at: '2026-12-07T05:00:00.000Z' };

  it('passes a response as described', () => {
    expect(rest.check('GET', '/api/users/alice', 200, JSON_TYPE, user)).to.equal(null);
    expect(
      rest.check('GET', '/api/chats/ABCD1234/messages?limit=5', 404, JSON_TYPE, {
        error: { code: 'not_found', message: 'chat not found' },
      }),
    ).to.equal(null);
  });

  it('fails a response that does not match, naming the route, the status and the mismatch', () => {
    const why = rest.check('GET', '/api/users/alice', 200, JSON_TYPE, { ...user, created_at: 17 });

    expect(why).to.match(/^GET \/api\/users\/\{username\} 200: the response does not match openapi\.json: body\/created_at must be string/);
  });

  it('fails a field the description does not have, and an error code the contract does not name', () => {
    expect(rest.check('GET', '/api/me', 200, JSON_TYPE, { ...user, email: 'a@b.c' })).to.match(/must NOT have additional properties/);
    expect(rest.check('GET', '/api/me', 401, JSON_TYPE, { error: { code: 'nope', message: '' } })).to.match(
      /code must be equal to one of the allowed values/,
    );
  });

  it('fails a route that is not described', () => {
    expect(rest.check('GET', '/api/secret', 200, JSON_TYPE, {})).to.equal(
      'GET /api/secret 200: the route is not described in openapi.json',
    );
  });

  it('checks socket events and acks by their event name', () => {
    expect(socket.checkEvent('presence:updated', { chat_code: 'ABCD1234', code: 'ABCD1234', online: ['a'] })).to.equal(null);
    expect(socket.checkEvent('presence:updated', { chat_code: 'ABCD1234', online: ['a'] })).to.match(
      /^server event presence:updated: the payload does not match asyncapi\.json: body must have required property 'code'/,
    );
    expect(socket.checkEvent('typing:started', {})).to.equal('server event typing:started: not described in asyncapi.json');
    expect(socket.checkAck('chat:leave', { ok: true })).to.equal(null);
    expect(socket.checkAck('chat:leave', { ok: false, error: { code: 'forbidden' } })).to.match(
      /^the ack of chat:leave: does not match asyncapi\.json/,
    );
  });
});
