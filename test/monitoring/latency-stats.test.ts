import { expect } from 'chai';
import { LatencyStats, LatencyWindow, percentile } from '../../src/monitoring';

describe('latency percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(values, 50)).to.equal(50);
    expect(percentile(values, 95)).to.equal(95);
    expect(percentile(values, 99)).to.equal(99);
    expect(percentile(values, 100)).to.equal(100);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([1, 2, 3, 4], 50)).to.equal(2);
    expect(percentile([], 50)).to.equal(0);
  });

  it('summarises unordered durations', () => {
    const window = new LatencyWindow();
    for (const ms of [9, 1, 8, 2, 7, 3, 6, 4, 5, 10]) window.add(ms);
    expect(window.summary()).to.deep.equal({ samples: 10, p50: 5, p95: 10, p99: 10, max: 10 });
  });

  it('keeps only the most recent durations', () => {
    const window = new LatencyWindow(100);
    for (let i = 0; i < 100; i++) window.add(1000); // old and slow
    for (let i = 1; i <= 100; i++) window.add(i);
    const s = window.summary();
    expect(s.samples).to.equal(100);
    expect(s.p99).to.equal(99);
    expect(s.max).to.equal(100);
  });

  it('keeps one window per operation type', () => {
    const stats = new LatencyStats<'a' | 'b'>(8);
    stats.record('a', 1);
    stats.record('a', 3);
    stats.record('b', 2.00049);
    const summary = stats.summary();
    expect(summary.a).to.deep.include({ samples: 2, p50: 1, max: 3 });
    expect(summary.b).to.deep.include({ samples: 1, p50: 2 }); // rounded to microseconds
    stats.clear();
    expect(stats.summary()).to.deep.equal({});
  });
});
