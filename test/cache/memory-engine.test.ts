import { expect } from 'chai';
import { MemoryEngine } from '../../src/cache/memory/memory-engine';

const limits = { maxCount: 5, ttlSeconds: 3600, pinnedTtlSeconds: 7200 };

/** Resolves once `done()` holds, checked every few milliseconds; rejects with `what` after 5 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !done();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('memory engine: expired keys leave memory without being read (#22 hygiene)', () => {
  it('drops the keys of an idle chat and user once their TTL is over, keeping live ones', async () => {
    let clock = 1_000_000;
    const engine = new MemoryEngine(limits, () => clock, 10);
    try {
      await engine.append('IDLECHAT', 'main', [{ seq: 1, version: 1, json: '{}' }]);
      await engine.setUserValue('idle-user', 'profile', '{}', 60);
      const held = engine.size;
      expect(held).to.be.greaterThan(1);
      clock += 61_000;
      await engine.setUserValue('live-user', 'profile', '{}', 3600);
      clock += 3_600_000 - 61_000; // the chat's hour is over; the live user's is not
      // Nothing reads: only the sweep can drop them.
      await until(() => engine.size === 1, `the sweep to leave 1 key of ${held + 1}`);
      expect(await engine.getUserValue('live-user', 'profile')).to.equal('{}');
    } finally {
      await engine.close();
    }
  });
});
