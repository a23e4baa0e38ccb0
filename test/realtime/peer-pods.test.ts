import { expect } from 'chai';
import { PeerPods } from '../../src/realtime/peer-pods';
import { until } from '../support/sockets';

/** A count the test answers by hand, one call at a time. */
function handCount() {
  const asked: ((pods: number | Error) => void)[] = [];
  const count = () =>
    new Promise<number>((resolve, reject) => asked.push((pods) => (pods instanceof Error ? reject(pods) : resolve(pods))));
  return { asked, count };
}

describe('PeerPods: whether another pod hears this one', () => {
  const made: PeerPods[] = [];
  afterEach(() => {
    for (const p of made.splice(0)) p.close();
  });
  const peers = (count: (() => Promise<number>) | null, now?: () => number) => {
    const p = new PeerPods(count, 10, now);
    made.push(p);
    return p;
  };

  it('assumes others until the first count, then follows the count', async () => {
    const { asked, count } = handCount();
    const p = peers(count);
    p.start();
    expect(p.present).to.equal(true);
    asked[0](1);
    await until(() => !p.present, 'alone after a count of 1');
    await until(() => asked.length === 2, 'the next count');
    asked[1](2);
    await until(() => p.present, 'others after a count of 2');
  });

  it('hears a newcomer at once, and a count asked before its hello does not undo that', async () => {
    let clock = 1000;
    const { asked, count } = handCount();
    const p = peers(count, () => clock);
    p.start();
    asked[0](1);
    await until(() => !p.present, 'alone');
    await until(() => asked.length === 2, 'the next count');
    clock += 5;
    p.heard(); // the hello came while that count was on its way
    expect(p.present).to.equal(true);
    clock += 5;
    asked[1](1);
    await until(() => asked.length === 3, 'the count after');
    expect(p.present).to.equal(true);
    asked[2](1); // asked after the hello: the newcomer has gone
    await until(() => !p.present, 'alone again');
  });

  it('keeps announcing while the count fails (Redis unreachable)', async () => {
    const { asked, count } = handCount();
    const p = peers(count);
    p.start();
    asked[0](1);
    await until(() => !p.present, 'alone');
    await until(() => asked.length === 2, 'the next count');
    asked[1](new Error('connection is closed'));
    await until(() => p.present, 'others assumed');
  });

  it('without a count (the in-memory adapter) there is nobody, whatever is heard', () => {
    const p = peers(null);
    p.start();
    p.heard();
    expect(p.present).to.equal(false);
  });
});
