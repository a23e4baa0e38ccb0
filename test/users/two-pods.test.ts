import { expect } from 'chai';
import { ApiClient, useTwoPods, type TestApp } from '../support';
import { converse, countQueries, joinAs, quiesce, registerUser, send, unread, type TestUser } from '../support/users';

/** Two app instances on one PostgreSQL and one Redis: what two pods share. */
describe('user caches across two pods (postgres+redis)', function () {
  this.timeout(60_000);
  const pods = useTwoPods({ SEND_RATE_LIMIT: '100000' });
  let podA: TestApp;
  let podB: TestApp;
  before(() => ({ podA, podB } = pods()));

  /** The same user, talking to pod B. */
  const onB = (u: TestUser): TestUser => ({ ...u, api: new ApiClient(podB.base, u.api.token) });

  it('sees a profile change and a read marker made on the other pod with the very next read', async () => {
    const [a, b] = [await registerUser(podA, 'a'), await registerUser(podA, 'b')];
    const code = await converse(a, b);
    const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
    await send(sa, code, 'one');
    await quiesce(podA.app);

    // Pod B caches both.
    expect((await onB(b).api.get(`/api/users/${a.username}`)).body.username).to.equal(a.username);
    expect(await unread(onB(b))).to.equal(1);
    await quiesce(podB.app);
    const queries = countQueries(podB.app);
    try {
      expect(await unread(onB(b))).to.equal(1);
      expect(queries.sql, 'pod B serves its reads from the shared cache').to.deep.equal([]);
    } finally {
      queries.stop();
    }

    const renamed = a.username.toUpperCase();
    expect((await a.api.patch('/api/me', { display_name: renamed })).status).to.equal(200);
    expect((await onB(b).api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);

    expect((await sb.post(`/api/chats/${code}/read`, { seq: 1 })).status).to.equal(200);
    expect(await unread(onB(b))).to.equal(0);
  });

  it('sees a message sent on the other pod once that pod’s inbox invalidation has landed', async () => {
    const [a, b] = [await registerUser(podA, 'a'), await registerUser(podA, 'b')];
    const code = await converse(a, b);
    const sa = await joinAs(a, code);
    expect(await unread(onB(b))).to.equal(0);
    await send(sa, code, 'hello from pod A');
    // Chat events are local to the pod that committed the message: its invalidation runs just after the send answers.
    await podA.app.users.cache.settled();
    expect(await unread(onB(b))).to.equal(1);
    expect((await onB(b).api.get('/api/me/conversations')).body.conversations[0].last_message.preview).to.equal('hello from pod A');
  });

  it('counts a new message for a member who joined on the other pod after this pod had looked up the chat’s members', async () => {
    const [host, late] = [await registerUser(podA, 'h'), await registerUser(podA, 'late')];
    const created = await host.api.post('/api/chats', { name: 'members move' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const code: string = created.body.code;
    const sh = await joinAs(host, code);
    await send(sh, code, 'one'); // pod A now knows the chat's registered members: the host
    await podA.app.users.cache.settled();

    await joinAs(onB(late), code);
    expect(await unread(late)).to.equal(1);
    await send(sh, code, 'two');
    await podA.app.users.cache.settled();
    expect(await unread(late), 'pod A looked the members up again: the join changed them').to.equal(2);
  });
});
