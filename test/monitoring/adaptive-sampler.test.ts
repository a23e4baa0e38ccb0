import { expect } from 'chai';
import { AdaptiveSampler, modeFor, sampleRateFor } from '../../src/monitoring';

/** A clock the test moves by hand. */
function fakeClock(start = 10_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Ticks `n` times at one instant; answers how many events were kept. */
function tickTimes(sampler: AdaptiveSampler, n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) if (sampler.tick()) kept++;
  return kept;
}

describe('AdaptiveSampler', () => {
  describe('thresholds', () => {
    it('maps operations per second to modes at the documented bounds', () => {
      expect(modeFor(0)).to.equal('detailed');
      expect(modeFor(99.9)).to.equal('detailed');
      expect(modeFor(100)).to.equal('sampled');
      expect(modeFor(1000)).to.equal('sampled');
      expect(modeFor(1000.1)).to.equal('aggregated');
    });

    it('keeps 10 % up to 200 ops/s, 5 % up to 500 and 1 % up to 1000', () => {
      expect(sampleRateFor(50)).to.equal(1);
      expect(sampleRateFor(100)).to.equal(0.1);
      expect(sampleRateFor(200)).to.equal(0.1);
      expect(sampleRateFor(201)).to.equal(0.05);
      expect(sampleRateFor(500)).to.equal(0.05);
      expect(sampleRateFor(501)).to.equal(0.01);
      expect(sampleRateFor(1000)).to.equal(0.01);
      expect(sampleRateFor(1001)).to.equal(0);
    });
  });

  describe('with a controllable clock', () => {
    it('measures operations per second over a one-second sliding window', () => {
      const clock = fakeClock();
      const sampler = new AdaptiveSampler({ now: clock.now });
      tickTimes(sampler, 50);
      expect(sampler.opsPerSecond()).to.equal(50);
      clock.advance(500);
      tickTimes(sampler, 30);
      expect(sampler.opsPerSecond()).to.equal(80);
      clock.advance(600); // the first 50 left the window
      expect(sampler.opsPerSecond()).to.equal(30);
      clock.advance(1000);
      expect(sampler.opsPerSecond()).to.equal(0);
      expect(sampler.mode()).to.equal('detailed');
    });

    it('keeps every event below 100 ops/s without drawing random numbers', () => {
      let draws = 0;
      const sampler = new AdaptiveSampler({ now: fakeClock().now, random: () => (draws++, 0.999) });
      expect(tickTimes(sampler, 99)).to.equal(99);
      expect(draws).to.equal(0);
      expect(sampler.mode()).to.equal('detailed');
    });

    for (const { load, rate } of [
      { load: 150, rate: 0.1 },
      { load: 400, rate: 0.05 },
      { load: 900, rate: 0.01 },
    ]) {
      it(`keeps an event at ${load} ops/s exactly when random() < ${rate}`, () => {
        let next = 0;
        const sampler = new AdaptiveSampler({ now: fakeClock().now, random: () => next });
        tickTimes(sampler, load - 1);
        expect(sampler.mode()).to.equal('sampled');
        expect(sampler.sampleRate()).to.equal(rate);
        next = rate - 1e-9;
        expect(sampler.tick()).to.equal(true);
        next = rate;
        expect(sampler.tick()).to.equal(false);
      });
    }

    it('keeps the documented share of events over a sampled second', () => {
      // A deterministic uniform sequence: 0, 1/100, 2/100, … so exactly 10 of every 100 draws fall below 0.1.
      let i = 0;
      const sampler = new AdaptiveSampler({ now: fakeClock().now, random: () => (i++ % 100) / 100 });
      tickTimes(sampler, 99); // detailed so far
      expect(tickTimes(sampler, 100)).to.equal(10); // the 100th..199th operation run at 100–199 ops/s: 10 %
    });

    it('keeps no event above 1000 ops/s', () => {
      const sampler = new AdaptiveSampler({ now: fakeClock().now, random: () => 0 });
      tickTimes(sampler, 1000);
      expect(tickTimes(sampler, 500)).to.equal(0);
      expect(sampler.mode()).to.equal('aggregated');
    });

    it('falls back to detailed when the load drops', () => {
      const clock = fakeClock();
      const sampler = new AdaptiveSampler({ now: clock.now, random: () => 0.5 });
      tickTimes(sampler, 2000);
      expect(sampler.mode()).to.equal('aggregated');
      clock.advance(1000);
      expect(sampler.mode()).to.equal('detailed');
      expect(sampler.tick()).to.equal(true);
    });

    it('starts afresh when the clock goes backwards', () => {
      const clock = fakeClock();
      const sampler = new AdaptiveSampler({ now: clock.now });
      tickTimes(sampler, 500);
      clock.advance(-5000);
      expect(sampler.opsPerSecond()).to.equal(0);
    });

    it('honours another window length', () => {
      const sampler = new AdaptiveSampler({ now: fakeClock().now, windowMs: 5000, buckets: 5 });
      tickTimes(sampler, 1000);
      expect(sampler.opsPerSecond()).to.equal(200);
      expect(sampler.mode()).to.equal('sampled');
    });
  });
});
