import { expect } from 'chai';
import type { HistoryPage } from '../../src/chat';
import { PageMemo } from '../../src/chat/page-memo';

const page = (lastSeq: number): HistoryPage => ({ items: [], source: 'cache', lastSeq, hasMore: false, nextBefore: null, nextAfter: null });
const kept = (lastSeq: number) => ({ page: page(lastSeq), state: { lastSeq, count: lastSeq } });

describe('PageMemo: the first pages a pod keeps', () => {
  let now = 0;
  const clock = () => now;

  it('keeps a page per chat channel and limit, and serves it only until its maximum age', () => {
    const memo = new PageMemo(10, 1000, clock);
    memo.set('AAAA1111', 'main', 50, kept(7), memo.generation());
    expect(memo.get('AAAA1111', 'main', 50)?.page.lastSeq).to.equal(7);
    expect(memo.get('AAAA1111', 'main', 20)).to.equal(undefined);
    expect(memo.get('AAAA1111', 'backroom', 50)).to.equal(undefined);
    now += 1001;
    expect(memo.get('AAAA1111', 'main', 50)).to.equal(undefined);
  });

  it('forgets a chat channel’s pages when one of its messages changes, and does not keep a page read before that change', () => {
    const memo = new PageMemo(10, 1000, clock);
    memo.set('AAAA1111', 'main', 50, kept(7), memo.generation());
    memo.set('BBBB2222', 'main', 50, kept(3), memo.generation());
    const readBefore = memo.generation();
    memo.forget('AAAA1111', 'main');
    expect(memo.get('AAAA1111', 'main', 50)).to.equal(undefined);
    expect(memo.get('BBBB2222', 'main', 50)?.page.lastSeq).to.equal(3);
    memo.set('AAAA1111', 'main', 50, kept(7), readBefore);
    expect(memo.get('AAAA1111', 'main', 50), 'read before the change').to.equal(undefined);
  });

  it('keeps at most its number of pages, dropping the least recently stored, whatever chats they belong to', () => {
    const memo = new PageMemo(2, 1000, clock);
    memo.set('AAAA1111', 'main', 50, kept(1), memo.generation());
    memo.set('AAAA1111', 'main', 20, kept(1), memo.generation());
    memo.set('BBBB2222', 'main', 50, kept(1), memo.generation());
    expect(memo.get('AAAA1111', 'main', 50)).to.equal(undefined);
    expect(memo.get('AAAA1111', 'main', 20)).to.not.equal(undefined);
    expect(memo.get('BBBB2222', 'main', 50)).to.not.equal(undefined);
    memo.forget('AAAA1111', 'main');
    expect(memo.get('AAAA1111', 'main', 20)).to.equal(undefined);
    expect(memo.get('BBBB2222', 'main', 50)).to.not.equal(undefined);
  });
});
