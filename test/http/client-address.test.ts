import { expect } from 'chai';
import { ApiClient, startStack, startTestApp, uniqueName, type Stack, type TestApp } from '../support';

/** Per-address limits count the address the proxy in front saw, not what the client claims. */
describe('client address behind a proxy', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('sqlite+memory');
  });
  after(async () => {
    await stack.dispose();
  });

  const register = (t: TestApp, forwardedFor: string) =>
    new ApiClient(t.base).request(
      'POST',
      '/api/auth/register',
      { username: uniqueName('x'), password: 'correct-horse-1' },
      { 'x-forwarded-for': forwardedFor },
    );

  it('takes the address the proxy appended to X-Forwarded-For, whatever the client put before it', async () => {
    const t = await startTestApp(stack, { PROXY_HOPS: '1' });
    try {
      // Each request claims another address; the proxy (one hop) saw the same one each time. At
      // once: the bucket is taken before each password is hashed, so no refill comes between.
      const statuses = (await Promise.all(Array.from({ length: 11 }, (_, i) => register(t, `198.51.100.${i + 1}, 203.0.113.7`)))).map(
        (r) => r.status,
      );
      expect(statuses.filter((s) => s === 201).length, `statuses ${statuses}`).to.equal(10);
      expect(statuses.filter((s) => s === 429).length, 'the 11th register within a minute from one address').to.equal(1);
      expect((await register(t, '198.51.100.1, 203.0.113.8')).status, 'another address the proxy saw').to.equal(201);
    } finally {
      await t.close();
    }
  });

  // Issue #22, abuse resistance 1: with nothing in front (docker run -p), PROXY_HOPS=1 let a client
  // pick its own register/login bucket by rotating the header.
  it('ignores X-Forwarded-For by default: a client rotating the header still shares one bucket', async () => {
    const t = await startTestApp(stack);
    try {
      const statuses = (await Promise.all(Array.from({ length: 12 }, (_, i) => register(t, `198.51.100.${i + 1}`)))).map((r) => r.status);
      expect(statuses.filter((s) => s === 201).length, `statuses ${statuses}`).to.equal(10);
      expect(statuses.filter((s) => s === 429).length, 'two of the registers from the one real address').to.equal(2);
    } finally {
      await t.close();
    }
  });
});
