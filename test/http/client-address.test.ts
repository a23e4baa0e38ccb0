import { expect } from 'chai';
import { ApiClient, startStack, startTestApp, uniqueName, type TestApp } from '../support';

/** Per-address limits count the address the proxy in front saw, not what the client claims. */
describe('client address behind a proxy', function () {
  this.timeout(60_000);
  let t: TestApp;

  before(async () => {
    t = await startTestApp(await startStack('sqlite+memory'));
  });
  after(async () => {
    await t.close();
    await t.stack.dispose();
  });

  const register = (forwardedFor: string) =>
    new ApiClient(t.base).request('POST', '/api/auth/register', { username: uniqueName('x'), password: 'correct-horse-1' }, { 'x-forwarded-for': forwardedFor });

  it('takes the address the proxy appended to X-Forwarded-For, whatever the client put before it', async () => {
    const statuses: number[] = [];
    // Each request claims another address; the proxy (one hop, the default) saw the same one each time.
    for (let i = 1; i <= 11; i++) statuses.push((await register(`198.51.100.${i}, 203.0.113.7`)).status);
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(201));
    expect(statuses[10], 'the 11th register within a minute from one address').to.equal(429);
    expect((await register('198.51.100.1, 203.0.113.8')).status, 'another address the proxy saw').to.equal(201);
  });
});
