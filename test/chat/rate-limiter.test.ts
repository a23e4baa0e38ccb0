import { expect } from 'chai';
import { RateLimiter } from '../../src/chat/rate-limiter';

describe('RateLimiter (a token bucket per key)', () => {
  it('allows a burst of its capacity, then tells how many seconds until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 30, () => now); // a token every 10 s
    expect([1, 2, 3].map(() => limiter.take('a'))).to.deep.equal([0, 0, 0]);
    expect(limiter.take('a')).to.equal(10);
    expect(limiter.take('b'), 'another key has its own bucket').to.equal(0);
    now = 10_000;
    expect(limiter.take('a')).to.equal(0);
  });

  it("forgets a key: its bucket starts full again (a closed connection's buckets go)", () => {
    const limiter = new RateLimiter(2, 60, () => 0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.peek('a')).to.be.above(0);
    limiter.forget('a');
    expect(limiter.peek('a')).to.equal(0);
  });
});
