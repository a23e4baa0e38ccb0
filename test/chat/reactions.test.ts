import { expect } from 'chai';
import { chatWithHost, STACKS, useTestApp } from '../support';

for (const stackName of STACKS) {
  describe(`reactions on ${stackName}`, function () {
    this.timeout(60_000);
    const app = useTestApp(stackName);

    it('counts reactions once per participant and emoji, in the message and the reactions hash', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const m = await host.post(`/api/chats/${code}/messages`, { content: 'react to me' });
      const r1 = await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      const version = (await host.get(`/api/chats/${code}`)).body.version;
      const r2 = await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      expect(r1.body.reactions).to.deep.equal({ '👍': 1 });
      expect(r2.body.reactions).to.deep.equal({ '👍': 1 });
      const never = await host.delete(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '🎉' });
      expect(never.body.reactions).to.deep.equal({ '👍': 1 });
      // neither changed anything: the chat's change counter (what `changed` on rejoin reads) stays
      expect((await host.get(`/api/chats/${code}`)).body.version).to.equal(version);
      expect(await t.app.cache.readReactions(code, m.body.id)).to.deep.equal({ '👍': 1 });
      const page = await host.get(`/api/chats/${code}/messages`);
      expect(page.body.messages[0].reactions).to.deep.equal({ '👍': 1 });
      const removed = await host.delete(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      expect(removed.body.reactions).to.deep.equal({});
      // a DELETE without a body names the emoji in the query string
      await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '🎉' });
      const byQuery = await host.request('DELETE', `/api/chats/${code}/messages/${m.body.id}/reactions?emoji=${encodeURIComponent('🎉')}`);
      expect(byQuery.status, JSON.stringify(byQuery.body)).to.equal(200);
      expect(byQuery.body.reactions).to.deep.equal({});
    });
  });
}
