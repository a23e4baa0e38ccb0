import { expect } from 'chai';
import { chatWithHost, STACKS, useTestApp } from '../support';
import { hostedChat } from '../support/users';

for (const stackName of STACKS) {
  describe(`pins and the pinned list on ${stackName}`, function () {
    this.timeout(60_000);
    const app = useTestApp(stackName);

    it('pins a message until a time and lists active pins from the cache', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const m = await host.post(`/api/chats/${code}/messages`, { content: 'pin me' });
      const pinned = await host.post(`/api/chats/${code}/messages/${m.body.id}/pin`, { amount_cents: 500, duration_minutes: 30 });
      expect(pinned.body).to.include({ is_pinned: true, pin_amount_cents: 500 });
      expect(Date.parse(pinned.body.pinned_until) - Date.now()).to.be.within(29 * 60_000, 30 * 60_000);
      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned.map((p: { id: string }) => p.id)).to.deep.equal([m.body.id]);
    });

    it('keeps the pinned list as the messages now read: edits and reactions show, a deleted message leaves it', async () => {
      const t = app();
      const { code, host } = await hostedChat(t, 'pins');
      const [a, b] = [
        await host.post(`/api/chats/${code}/messages`, { content: 'first pin' }),
        await host.post(`/api/chats/${code}/messages`, { content: 'second pin' }),
      ];
      for (const m of [a, b])
        expect(
          (await host.post(`/api/chats/${code}/messages/${m.body.id}/pin`, { amount_cents: 100, duration_minutes: 30 })).status,
        ).to.equal(200);
      await host.patch(`/api/chats/${code}/messages/${a.body.id}`, { content: 'first pin, edited' });
      await host.post(`/api/chats/${code}/messages/${a.body.id}/reactions`, { emoji: '🔥' });
      const deleted = await host.delete(`/api/chats/${code}/messages/${b.body.id}`);
      expect(deleted.body).to.include({ deleted: true, content: '', is_pinned: false, pinned_until: null });

      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned).to.have.length(1);
      expect(list.body.pinned[0]).to.include({ id: a.body.id, content: 'first pin, edited' });
      expect(list.body.pinned[0].reactions).to.deep.equal({ '🔥': 1 });
      expect(JSON.stringify(list.body)).not.to.include('second pin');
    });

    it('pins into a pinned set that is not cached by caching every active pin, not the new one alone', async () => {
      const t = app();
      const { code, host } = await hostedChat(t, 'pins');
      const [a, b] = [
        await host.post(`/api/chats/${code}/messages`, { content: 'older pin' }),
        await host.post(`/api/chats/${code}/messages`, { content: 'newer pin' }),
      ];
      await host.post(`/api/chats/${code}/messages/${a.body.id}/pin`, { amount_cents: 100, duration_minutes: 30 });
      await t.app.cache.dropChat(code); // evicted, expired or cleared by an operator
      await host.post(`/api/chats/${code}/messages/${b.body.id}/pin`, { amount_cents: 100, duration_minutes: 60 });
      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned.map((p: { id: string }) => p.id)).to.deep.equal([a.body.id, b.body.id]);
    });
  });
}
