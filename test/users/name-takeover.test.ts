import { expect } from 'chai';
import type { ParticipantRenamed } from '../../src/chat';
import { ApiClient, chatWithHost, STACKS, uniqueName, useTestApp, useTwoPods } from '../support';
import { connect, joinOk, type ChatSocket } from '../support/sockets';

// Issue #22, abuse resistance 5: an anonymous `carol` who joined before carol registered kept
// posting as `carol`, and the real carol got 409 in that chat. The owner's join now takes the name
// over; the anonymous holder becomes `carol~2`, told by `participant:renamed`.
describe('a registered name taken over from an anonymous holder', function () {
  this.timeout(60_000);
  const sockets: ChatSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  /**
   * The squatter joins, posts and listens through `squatterBase`; carol registers and joins through
   * `ownerBase`. Checks the owner's join, the event the squatter hears, and both posts after it.
   */
  async function takeOver(ownerBase: string, squatterBase: string) {
    const { code } = await chatWithHost(ownerBase);
    const carol = uniqueName('carol');
    const squat = await new ApiClient(squatterBase).post(`/api/chats/${code}/join`, { username: carol });
    expect(squat.status).to.equal(200);
    const squatter = new ApiClient(squatterBase, squat.body.session_token);
    // Posting before the rename: the squatter's pod now knows the participant under its old name.
    expect((await squatter.post(`/api/chats/${code}/messages`, { content: 'before' })).body).to.include({ username: carol });

    // Everyone in the chat (the squatter included) hears of the rename.
    const socket = await connect(squatterBase, squat.body.session_token);
    sockets.push(socket);
    await joinOk(socket, { code });
    const heard = new Promise<ParticipantRenamed>((resolve) => socket.once('participant:renamed', resolve));
    // The squatter shows online under its new name, and nobody under the old one.
    const shownRenamed = new Promise<void>((resolve) =>
      socket.on('presence:updated', ({ online }) => {
        if (online.includes(`${carol}~2`) && !online.includes(carol)) resolve();
      }),
    );

    const api = new ApiClient(ownerBase);
    const reg = await api.post('/api/auth/register', { username: carol, password: 'correct-horse-1' });
    expect(reg.status).to.equal(201);
    const owner = await api.withToken(reg.body.token).post(`/api/chats/${code}/join`, { username: carol });
    expect(owner.status, JSON.stringify(owner.body)).to.equal(200);
    expect(owner.body.participant).to.include({ username: carol, username_is_reserved: true, user_id: reg.body.user.id });

    expect(await heard).to.deep.equal({
      chat_code: code,
      participant_id: squat.body.participant.id,
      old_username: carol,
      username: `${carol}~2`,
    });
    await shownRenamed;
    const sent = await squatter.post(`/api/chats/${code}/messages`, { content: 'still me' });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    expect(sent.body).to.include({ username: `${carol}~2`, username_is_reserved: false });
    const mine = await api.withToken(owner.body.session_token).post(`/api/chats/${code}/messages`, { content: 'the real one' });
    expect(mine.body).to.include({ username: carol, username_is_reserved: true });

    // The renamed participant rejoins under its new name with its session token; nobody picks a ~N name.
    const rejoin = await squatter.post(`/api/chats/${code}/join`, { username: `${carol}~2` });
    expect(rejoin.status, JSON.stringify(rejoin.body)).to.equal(200);
    expect(rejoin.body.participant.id).to.equal(squat.body.participant.id);
    const chosen = await new ApiClient(squatterBase).post(`/api/chats/${code}/join`, { username: `${uniqueName('x')}~2` });
    expect(chosen.status, JSON.stringify(chosen.body)).to.equal(400);
  }

  for (const name of STACKS) {
    describe(`one pod (${name})`, () => {
      const app = useTestApp(name);

      it('gives the owner the name, renames the squatter to name~2 with participant:renamed, and its old token posts as name~2', () =>
        takeOver(app().base, app().base));
    });
  }

  describe('two pods (postgres+redis)', () => {
    const pods = useTwoPods();
    it('renames on one pod, and the squatter posting through the other pod posts as name~2 at once', () =>
      takeOver(pods().podA.base, pods().podB.base));
  });
});
