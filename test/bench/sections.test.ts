import { expect } from 'chai';
import { runsSection } from '../../bench/harness/settings';

describe('bench sections', () => {
  it('takes send-per-chat only when BENCH_ONLY names it', () => {
    for (const size of ['tiny', 'quick', 'full'] as const) {
      expect(runsSection({ only: null, size }, 'send-per-chat'), size).to.equal(false);
      expect(runsSection({ only: null, size }, 'send'), size).to.equal(true);
      expect(runsSection({ only: new Set(['send', 'send-per-chat']), size }, 'send-per-chat'), size).to.equal(true);
    }
  });
});
