import { expect } from 'chai';
import { ApiClient, STACKS, uniqueName, useTestApp, useTwoPods } from '../support';
import { chatWithMembers, connect, connectError } from '../support/sockets';

for (const stack of STACKS) {
  describe(`token refresh and logout (${stack})`, function () {
    this.timeout(30_000);

    const app = useTestApp(stack);

    const register = async () => {
      const username = uniqueName('tok');
      const res = await new ApiClient(app().base).post('/api/auth/register', { username, password: 'correct-horse-1' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return { username, token: res.body.token as string };
    };

    it('refresh answers a new user token that works, for a valid one only', async () => {
      const t = app();
      const { username, token } = await register();
      const res = await new ApiClient(t.base, token).post('/api/auth/refresh');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.user.username).to.equal(username);
      expect(res.body.token).to.be.a('string').and.not.equal(token);
      expect((await new ApiClient(t.base, res.body.token).get('/api/me')).body.username).to.equal(username);
      expect((await new ApiClient(t.base).post('/api/auth/refresh')).status).to.equal(401);
      expect((await new ApiClient(t.base, 'not.a.jwt').post('/api/auth/refresh')).status).to.equal(401);
    });

    it('logout revokes every token issued before it, user and session alike, on REST and on socket connect; a new login works', async () => {
      const t = app();
      const { username, token } = await register();
      const me = new ApiClient(t.base, token);
      const { code } = await chatWithMembers(t.base, 0);
      const joined = await me.post(`/api/chats/${code}/join`, { username });
      expect(joined.status).to.equal(200);
      const session = joined.body.session_token as string;
      const refreshed = (await me.post('/api/auth/refresh')).body.token as string;

      expect((await me.post('/api/auth/logout')).status).to.equal(204);
      for (const old of [token, refreshed]) {
        const res = await new ApiClient(t.base, old).get('/api/me');
        expect(res.status).to.equal(401);
        expect(res.body.error).to.deep.equal({ code: 'unauthorized', message: 'token revoked by a logout: log in again' });
        expect((await new ApiClient(t.base, old).post('/api/auth/refresh')).status).to.equal(401);
      }
      expect((await new ApiClient(t.base, session).post(`/api/chats/${code}/read`, { seq: 0 })).status).to.equal(401);
      for (const old of [token, session]) expect((await connectError(t.base, old)).data?.code).to.equal('unauthorized');

      const login = await new ApiClient(t.base).post('/api/auth/login', { username, password: 'correct-horse-1' });
      expect(login.status).to.equal(200);
      expect((await new ApiClient(t.base, login.body.token).get('/api/me')).status).to.equal(200);
      const s = await connect(t.base, login.body.token);
      s.close();
    });
  });
}

describe('logout ends the connections of the tokens it revoked, on every pod (postgres+redis)', function () {
  this.timeout(60_000);
  const pods = useTwoPods();

  const ended = (s: { once(e: 'disconnect', l: (reason: string) => void): unknown }) =>
    new Promise<string>((resolve) => s.once('disconnect', resolve));

  it("disconnects the user's user-token and session-token sockets on both pods before it answers, and nobody else's", async () => {
    const { podA, podB } = pods();
    const username = uniqueName('out');
    const reg = await new ApiClient(podA.base).post('/api/auth/register', { username, password: 'correct-horse-1' });
    expect(reg.status).to.equal(201);
    const token = reg.body.token as string;
    const { code } = await chatWithMembers(podA.base, 0);
    const session = (await new ApiClient(podA.base, token).post(`/api/chats/${code}/join`, { username })).body.session_token as string;
    // Someone else's socket stays.
    const other = await chatWithMembers(podA.base, 1);
    const bystander = await connect(podB.base, other.tokens[0]);

    const sockets = [await connect(podA.base, token), await connect(podB.base, token), await connect(podB.base, session)];
    const endings = sockets.map(ended);
    expect((await new ApiClient(podB.base, token).post('/api/auth/logout')).status).to.equal(204);
    try {
      // Gone from both pods by the time logout answered (the clients hear of it a moment later).
      for (const pod of [podA, podB]) {
        const left = await pod.app.realtime.io.local.in([`user:${reg.body.user.id}`, `user-sessions:${reg.body.user.id}`]).fetchSockets();
        expect(left.map((s) => s.id)).to.deep.equal([]);
      }
      expect(await Promise.all(endings)).to.deep.equal(['io server disconnect', 'io server disconnect', 'io server disconnect']);
      expect(bystander.connected, "another user's socket").to.equal(true);
    } finally {
      for (const s of [...sockets, bystander]) s.close();
    }
  });
});
