import { expect } from 'chai';
import type { ParticipantRenamed } from '../../src/chat';
import { ApiClient, chatWithHost, STACKS, startStack, startTestApp, uniqueName, type TestApp } from '../support';
import { connect, joinOk, type ChatSocket } from '../realtime/helpers';

// Issue #22, abuse resistance 5: an anonymous `carol` who joined before carol registered kept
// posting as `carol`, and the real carol got 409 in that chat. The owner's join now takes the name
// over; the anonymous holder becomes `carol~2`, told by `participant:renamed`.
for (const stack of STACKS) {
  describe(`a registered name taken over from an anonymous holder (${stack})`, function () {
    this.timeout(60_000);
    let t: TestApp;
    const sockets: ChatSocket[] = [];

    before(async () => {
      t = await startTestApp(await startStack(stack));
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t?.close();
      await t?.stack.dispose();
    });

    it('gives the owner the name, renames the squatter to name~2 with participant:renamed, and its old token posts as name~2', async () => {
      const { code } = await chatWithHost(t.base);
      const carol = uniqueName('carol');
      const api = new ApiClient(t.base);
      const squat = await api.post(`/api/chats/${code}/join`, { username: carol });
      expect(squat.status).to.equal(200);
      const squatter = api.withToken(squat.body.session_token);

      // Everyone in the chat (the squatter included) hears of the rename.
      const socket = await connect(t.base, squat.body.session_token);
      sockets.push(socket);
      await joinOk(socket, { code });
      const heard = new Promise<ParticipantRenamed>((resolve) => socket.once('participant:renamed', resolve));

      const reg = await api.post('/api/auth/register', { username: carol, password: 'correct-horse-1' });
      expect(reg.status).to.equal(201);
      const owner = await api.withToken(reg.body.token).post(`/api/chats/${code}/join`, { username: carol });
      expect(owner.status, JSON.stringify(owner.body)).to.equal(200);
      expect(owner.body.participant).to.include({ username: carol, username_is_reserved: true, user_id: reg.body.user.id });

      expect(await heard).to.deep.equal({ chat_code: code, participant_id: squat.body.participant.id, old_username: carol, username: `${carol}~2` });
      const sent = await squatter.post(`/api/chats/${code}/messages`, { content: 'still me' });
      expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
      expect(sent.body).to.include({ username: `${carol}~2`, username_is_reserved: false });
      const mine = await api.withToken(owner.body.session_token).post(`/api/chats/${code}/messages`, { content: 'the real one' });
      expect(mine.body).to.include({ username: carol, username_is_reserved: true });
    });
  });
}
