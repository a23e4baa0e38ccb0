import { expect } from 'chai';
import { chatWithHost, guest, STACKS, useTestApp } from '../support';
import { hostedChat } from '../support/users';

for (const stackName of STACKS) {
  describe(`the back room on ${stackName}`, function () {
    this.timeout(60_000);
    const app = useTestApp(stackName);

    it('keeps the back room to the host and its members', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const sent = await host.post(`/api/chats/${code}/messages`, { content: 'staff only', channel: 'backroom' });
      expect(sent.status).to.equal(201);
      expect(sent.body).to.include({ channel: 'backroom', seq: 1 });
      const outsider = await guest(t.base, code);
      expect((await outsider.get(`/api/chats/${code}/backroom/messages`)).status).to.equal(403);
      expect((await outsider.post(`/api/chats/${code}/messages`, { content: 'let me in', channel: 'backroom' })).status).to.equal(403);
      const back = await host.get(`/api/chats/${code}/backroom/messages`);
      expect(back.body.messages.map((m: { content: string }) => m.content)).to.deep.equal(['staff only']);
      const main = await host.get(`/api/chats/${code}/messages`);
      expect(main.body.messages).to.have.length(0);
    });

    it('keeps back-room messages out of reach of everyone else: no reactions, no main-channel replies to them', async () => {
      const t = app();
      const { code, host } = await hostedChat(t, 'back room');
      const staff = await host.post(`/api/chats/${code}/messages`, { content: 'staff only', channel: 'backroom' });
      const outsider = await guest(t.base, code);
      const react = await outsider.post(`/api/chats/${code}/messages/${staff.body.id}/reactions`, { emoji: '😈' });
      expect(react.status, JSON.stringify(react.body)).to.equal(403);
      expect(react.body.error.code).to.equal('forbidden');
      for (const sender of [outsider, host]) {
        const reply = await sender.post(`/api/chats/${code}/messages`, { content: 'look at this', reply_to: staff.body.id });
        expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
        expect(reply.body.error.code).to.equal('invalid_input');
      }
      expect((await host.get(`/api/chats/${code}/messages`)).body.messages).to.have.length(0);
      // the back room itself still replies and reacts
      const inside = await host.post(`/api/chats/${code}/messages`, { content: 'noted', channel: 'backroom', reply_to: staff.body.id });
      expect(inside.status, JSON.stringify(inside.body)).to.equal(201);
      const own = await host.post(`/api/chats/${code}/messages/${staff.body.id}/reactions`, { emoji: '👍' });
      expect(own.body.reactions).to.deep.equal({ '👍': 1 });
    });
  });
}
