import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import { ChatSequencer, newDeliveryStats, type SequencerOptions } from '../../src/realtime';
import { range } from '../support/sockets';

const FAST: SequencerOptions = { gapWaitMs: 30, retryMs: 30, recentSize: 5, recentChars: 1000, tailCheckMs: 60 };

const msg = (seq: number, content = `m${seq}`) => ({ seq, content }) as MessageView;

/** A sequencer over a fake history; `delivered` resolves waiters as messages come out. */
function harness(committed: number[] = [], opts: SequencerOptions = FAST) {
  const history = new Set(committed);
  const out: MessageView[] = [];
  const reads: number[] = [];
  let failReads = 0;
  const waiters: (() => void)[] = [];
  const stats = newDeliveryStats();
  const seq = new ChatSequencer(
    async (after) => {
      reads.push(after);
      if (failReads > 0) {
        failReads--;
        throw new Error('database down');
      }
      return [...history]
        .filter((s) => s > after)
        .sort((a, b) => a - b)
        .map((s) => msg(s, `from history ${s}`));
    },
    (m) => {
      out.push(m);
      for (const w of waiters.splice(0)) w();
    },
    () => undefined,
    opts,
    stats,
  );
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${out.map((m) => m.seq)} delivered`)), 2000);
      const check = () => {
        if (out.length >= n) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { seq, out, reads, history, stats, until, failNextReads: (n: number) => (failReads = n) };
}

describe('ChatSequencer (ordered delivery on one pod)', () => {
  it('emits announcements that arrive out of order in seq order, once each, without reading history', async () => {
    const h = harness();
    h.seq.start(0);
    for (const s of [2, 1, 4, 3, 3, 1, 5]) h.seq.push(msg(s));
    expect(h.out.map((m) => m.seq)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(h.out.every((m) => m.content === `m${m.seq}`)).to.equal(true);
    expect(h.reads).to.deep.equal([]);
    h.seq.close();
  });

  it('holds what arrives before the start and drops what the first joiner already read', () => {
    const h = harness();
    for (const s of [3, 5, 4, 6]) h.seq.push(msg(s));
    expect(h.out).to.deep.equal([]);
    h.seq.start(4);
    expect(h.out.map((m) => m.seq)).to.deep.equal([5, 6]);
    h.seq.start(0); // later starts change nothing
    h.seq.push(msg(7));
    expect(h.out.map((m) => m.seq)).to.deep.equal([5, 6, 7]);
    h.seq.close();
  });

  it('fills a gap that does not close in time from history, then goes on in order', async () => {
    const h = harness([1, 2, 3, 4]);
    h.seq.start(0);
    h.seq.push(msg(1));
    h.seq.push(msg(4)); // 2 and 3 were committed on a pod whose announcements are lost
    expect(h.out.map((m) => m.seq)).to.deep.equal([1]);
    await h.until(4);
    expect(h.out.map((m) => m.seq)).to.deep.equal([1, 2, 3, 4]);
    expect(h.out[1].content).to.equal('from history 2');
    expect(h.reads).to.deep.equal([1]);
    h.seq.push(msg(3)); // the late announcement is a duplicate now
    expect(h.out).to.have.length(4);
    expect(h.stats).to.deep.equal({ delivered: 4, fromHistory: 2, historyReads: 1 });
    h.seq.close();
  });

  it('keeps trying while history fails, delivering nothing out of order meanwhile', async () => {
    const h = harness([1, 2]);
    h.seq.start(0);
    h.failNextReads(2);
    h.seq.push(msg(2));
    await h.until(2);
    expect(h.out.map((m) => m.seq)).to.deep.equal([1, 2]);
    expect(h.reads).to.deep.equal([0, 0, 0]);
    h.seq.close();
  });

  it('finds a lost announcement at the tail once the chat goes quiet', async () => {
    const h = harness([1, 2]);
    h.seq.start(0);
    h.seq.push(msg(1)); // 2 is committed, its announcement never comes and nothing follows it
    await h.until(2);
    expect(h.out.map((m) => m.seq)).to.deep.equal([1, 2]);
    h.seq.close();
  });

  it('shows a change only after its message', () => {
    const h = harness();
    const shown: string[] = [];
    h.seq.start(0);
    h.seq.afterDelivered(2, () => shown.push('edit of 2'));
    h.seq.push(msg(2));
    expect(shown).to.deep.equal([]);
    h.seq.push(msg(1));
    expect(shown).to.deep.equal(['edit of 2']);
    h.seq.afterDelivered(1, () => shown.push('edit of 1'));
    expect(shown).to.deep.equal(['edit of 2', 'edit of 1']);
    h.seq.close();
  });

  it('serves the recent run to joiners, or null once it has moved past', () => {
    const h = harness();
    expect(h.seq.recentAfter(0)).to.equal(null);
    h.seq.start(0);
    for (const s of range(1, 8)) h.seq.push(msg(s));
    expect(h.seq.recentAfter(8)).to.deep.equal([]);
    expect(h.seq.recentAfter(5)!.map((m) => m.seq)).to.deep.equal([6, 7, 8]);
    expect(h.seq.recentAfter(3)!.map((m) => m.seq)).to.deep.equal([4, 5, 6, 7, 8]);
    expect(h.seq.recentAfter(2)).to.equal(null); // recentSize 5: seq 3 is gone
    h.seq.close();
  });

  it('keeps no more recent content than recentChars, dropping the oldest messages first', () => {
    const h = harness([], { ...FAST, recentSize: 100, recentChars: 10 });
    h.seq.start(0);
    for (const s of range(1, 4)) h.seq.push(msg(s, 'abcd'));
    expect(h.seq.recentAfter(2)!.map((m) => m.seq)).to.deep.equal([3, 4]); // 8 characters held
    expect(h.seq.recentAfter(1)).to.equal(null);
    h.seq.push(msg(5, 'x'.repeat(11))); // more than the budget alone: nothing is held
    expect(h.seq.recentAfter(4)).to.equal(null);
    expect(h.seq.recentAfter(5)).to.deep.equal([]);
    h.seq.push(msg(6, 'ab'));
    expect(h.seq.recentAfter(5)!.map((m) => m.seq)).to.deep.equal([6]);
    h.seq.close();
  });
});
