import { expect } from 'chai';
import { WorkGate } from '../../src/auth';
import { AppError } from '../../src/errors';
import { ApiClient, uniqueName, useTestApp } from '../support';

/** A promise with its resolve function outside, to hold a task in progress. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

// Issue #22, abuse resistance 1: 40 parallel logins for unknown users (each a full argon2id hash)
// pushed a real login from 0.17 s to 4.8 s. Hashing now goes through a small gate.
describe('password hashing cap', function () {
  this.timeout(60_000);

  describe('the gate', () => {
    it('runs at most `concurrency` tasks, queues `queue` more and refuses the rest as unavailable with a retry time', async () => {
      const gate = new WorkGate({ concurrency: 1, queue: 1 });
      const first = held();
      let started = 0;
      const a = gate.run(async () => {
        started++;
        await first.promise;
      });
      const b = gate.run(async () => {
        started++;
      });
      const refused = await gate.run(async () => started++).catch((err: unknown) => err);
      expect(refused).to.be.instanceOf(AppError);
      expect((refused as AppError).code).to.equal('unavailable');
      expect((refused as AppError).retryAfterSeconds).to.be.at.least(1);
      expect(started, 'the queued task waits for the running one').to.equal(1);
      first.release();
      await Promise.all([a, b]);
      expect(started).to.equal(2);
      await gate.run(async () => started++);
      expect(started, 'the gate is free again').to.equal(3);
    });
  });

  describe('over HTTP', () => {
    const app = useTestApp('sqlite+memory', { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' });

    it('answers logins for unknown users beyond the queue 503 unavailable with retry_after, like any login', async () => {
      const t = app();
      const api = new ApiClient(t.base);
      const res = await Promise.all(
        Array.from({ length: 8 }, () => api.post('/api/auth/login', { username: uniqueName('nobody'), password: 'wrong-horse-1' })),
      );
      const statuses = res.map((r) => r.status);
      expect(
        statuses.filter((s) => s !== 401 && s !== 503),
        `statuses ${statuses}`,
      ).to.be.empty;
      const busy = res.filter((r) => r.status === 503);
      expect(busy.length, `statuses ${statuses}`).to.be.at.least(1);
      for (const r of busy) {
        expect(r.body.error).to.include({ code: 'unavailable' });
        expect(r.body.error.retry_after).to.be.at.least(1);
        expect(r.headers.get('retry-after')).to.equal(String(r.body.error.retry_after));
      }
      expect(statuses.filter((s) => s === 401).length, 'the ones that got a turn are checked (and fail)').to.be.at.least(2);
    });
  });
});
