import { expect } from 'chai';
import { Message } from '../../src/domain';
import { chatWithHost, guest, STACKS, useTestApp, type ApiClient } from '../support';

// Issue #22, integrity: a running paid pin may only be extended, by its pinner or the host.
for (const stackName of STACKS) {
  describe(`pin rules (${stackName})`, function () {
    this.timeout(30_000);
    const app = useTestApp(stackName);

    /** A chat with a message pinned by alice (a guest), and a stranger, anon1. */
    async function pinnedByAlice(amount_cents: number, duration_minutes: number) {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const [alice, anon1] = await Promise.all([guest(t.base, code), guest(t.base, code)]);
      const sent = await host.post(`/api/chats/${code}/messages`, { content: 'pin me' });
      const pin = (client: ApiClient, body: { amount_cents: number; duration_minutes: number }) =>
        client.post(`/api/chats/${code}/messages/${sent.body.id}/pin`, body);
      const first = await pin(alice, { amount_cents, duration_minutes });
      expect(first.status).to.equal(200);
      const pinned = async () => {
        const list = (await host.get(`/api/chats/${code}/pinned`)).body.pinned as {
          id: string;
          pinned_until: string;
          pin_amount_cents: number;
        }[];
        return list.map((m) => ({ id: m.id, pinned_until: m.pinned_until, pin_amount_cents: m.pin_amount_cents }));
      };
      return { code, host, alice, anon1, id: sent.body.id as string, first: first.body, pin, pinned };
    }

    it('refuses a stranger who re-pins a running paid pin (403 forbidden) and keeps the pin as paid', async () => {
      const t = app();
      const { anon1, id, first, pin, pinned } = await pinnedByAlice(5000, 10080);

      const res = await pin(anon1, { amount_cents: 0, duration_minutes: 1 });

      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('forbidden');
      expect(await pinned()).to.deep.equal([{ id, pinned_until: first.pinned_until, pin_amount_cents: 5000 }]);

      // Once it has run out, anyone may pin the message afresh, for their own amount.
      await t.app.orm.em.fork().nativeUpdate(Message, { id }, { pinnedUntil: new Date(Date.now() - 60_000) });
      const fresh = await pin(anon1, { amount_cents: 10, duration_minutes: 5 });
      expect([fresh.status, fresh.body.pin_amount_cents, fresh.body.is_pinned]).to.deep.equal([200, 10, true]);
    });

    it('refuses the pinner a shorter pin (409 conflict): a running pin is never shortened', async () => {
      const { alice, id, first, pin, pinned } = await pinnedByAlice(5000, 10080);

      const res = await pin(alice, { amount_cents: 0, duration_minutes: 1 });

      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('conflict');
      expect(await pinned()).to.deep.equal([{ id, pinned_until: first.pinned_until, pin_amount_cents: 5000 }]);
    });

    it('lets the pinner and the host extend a running pin: a later pinned_until, the amounts added', async () => {
      const { alice, host, pin } = await pinnedByAlice(100, 60);

      const byAlice = await pin(alice, { amount_cents: 200, duration_minutes: 120 });
      expect([byAlice.status, byAlice.body.pin_amount_cents]).to.deep.equal([200, 300]);
      const byHost = await pin(host, { amount_cents: 50, duration_minutes: 240 });
      expect([byHost.status, byHost.body.pin_amount_cents]).to.deep.equal([200, 350]);
      expect(Date.parse(byHost.body.pinned_until)).to.be.greaterThan(Date.parse(byAlice.body.pinned_until));
    });
  });
}
