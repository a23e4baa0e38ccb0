import { expect } from 'chai';
import { ApiClient, uniqueName, useTestApp } from '../support';

// Issue #22, abuse resistance 2: 10 wrong logins for bob from 10 addresses locked bob out from a
// fresh address. Wrong passwords now count per (username, address), under a higher per-username ceiling.
describe('login lockout', function () {
  this.timeout(60_000);
  const password = 'correct-horse-1';

  // One proxy hop, so each request may come from the address a test names.
  const app = useTestApp('sqlite+memory', { PROXY_HOPS: '1', PASSWORD_HASH_QUEUE: '1000' });

  const api = () => new ApiClient(app().base);
  const login = (username: string, pw: string, address: string) =>
    api().request('POST', '/api/auth/login', { username, password: pw }, { 'x-forwarded-for': address });
  async function registered(): Promise<string> {
    const username = uniqueName('bob');
    const res = await api().request(
      'POST',
      '/api/auth/register',
      { username, password },
      { 'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250) + 1}` },
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return username;
  }

  it('lets the owner in from a fresh address after wrong logins for the name from ten others', async () => {
    const bob = await registered();
    for (let i = 1; i <= 10; i++) expect((await login(bob, 'wrong-horse-1', `198.51.100.${i}`)).status).to.equal(401);
    const res = await login(bob, password, '203.0.113.50');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });

  it('refuses a sixth wrong login for one name from one address with rate_limited and retry_after', async () => {
    const bob = await registered();
    for (let i = 1; i <= 5; i++) expect((await login(bob, 'wrong-horse-1', '198.51.100.77')).status).to.equal(401);
    const sixth = await login(bob, 'wrong-horse-1', '198.51.100.77');
    expect(sixth.status).to.equal(429);
    expect(sixth.body.error.code).to.equal('rate_limited');
    expect(sixth.body.error.retry_after).to.be.at.least(1);
    expect(sixth.headers.get('retry-after')).to.equal(String(sixth.body.error.retry_after));
    expect((await login(bob, password, '198.51.100.78')).status, 'the owner from the next address').to.equal(200);
  });
});
