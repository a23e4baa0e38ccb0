import { expect } from 'chai';
import { chatWithHost, useTestApp } from '../support';

// Issue #26: the pinned set is written through CacheWriter like every other cache write.
describe('pinned set writes (sqlite+memory)', function () {
  this.timeout(30_000);
  const app = useTestApp('sqlite+memory');

  it('puts the chat on the repair queue when caching its pinned set fails, and the repair caches it', async () => {
    const t = app();
    const { code, host } = await chatWithHost(t.base);
    const sent = await host.post(`/api/chats/${code}/messages`, { content: 'pin me' });
    const enqueued: string[] = [];
    const { repair } = t.app.chat;
    const enqueue = repair.enqueue.bind(repair);
    repair.enqueue = (c: string) => {
      enqueued.push(c);
      enqueue(c);
    };
    // The first pin finds no cached set and caches it from the database: that write fails once.
    const engine = t.app.cache;
    const rebuildPins = engine.rebuildPins.bind(engine);
    let failures = 0;
    engine.rebuildPins = async (...args) => {
      if (args[0] === code && failures++ === 0) throw new Error('cache write failed');
      return rebuildPins(...args);
    };
    try {
      const res = await host.post(`/api/chats/${code}/messages/${sent.body.id}/pin`, { amount_cents: 100, duration_minutes: 5 });
      expect(res.status).to.equal(200);
      expect(enqueued).to.include(code);
      expect(await repair.idle()).to.equal(true);
      const pinned = await host.get(`/api/chats/${code}/pinned`);
      expect(pinned.body.source).to.equal('cache');
      expect(pinned.body.pinned.map((m: { id: string }) => m.id)).to.deep.equal([sent.body.id]);
    } finally {
      repair.enqueue = enqueue;
      engine.rebuildPins = rebuildPins;
    }
  });
});
