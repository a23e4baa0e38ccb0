import { expect } from 'chai';
import { CoalescedRead } from '../../src/chat/coalesced-read';

/** A read whose answer is the number of reads started so far, settled by hand. */
function manualReads() {
  let started = 0;
  const pending: (() => void)[] = [];
  const read = () =>
    new Promise<number>((resolve) =>
      pending.push(
        (
          (n) => () =>
            resolve(n)
        )(++started),
      ),
    );
  return {
    read,
    finishNext: async () => {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    },
    started: () => started,
  };
}

describe('CoalescedRead', () => {
  it('answers callers who asked while a read ran with the next read, never the running one', async () => {
    const reads = manualReads();
    const shared = new CoalescedRead<number>();
    const first = shared.run('k', reads.read);
    const second = shared.run('k', reads.read);
    const third = shared.run('k', reads.read);
    expect(reads.started()).to.equal(1);
    await reads.finishNext();
    expect(await first).to.equal(1);
    expect(reads.started(), 'one more read for both who waited').to.equal(2);
    await reads.finishNext();
    expect([await second, await third]).to.deep.equal([2, 2]);
  });

  it('keeps keys apart and passes a failed read to the callers who shared it', async () => {
    const shared = new CoalescedRead<number>();
    const failing = shared.run('a', async () => Promise.reject(new Error('down')));
    expect(await shared.run('b', async () => 7)).to.equal(7);
    let caught: unknown;
    await failing.catch((err) => (caught = err));
    expect((caught as Error).message).to.equal('down');
    expect(await shared.run('a', async () => 8), 'the next read runs afresh').to.equal(8);
  });
});
