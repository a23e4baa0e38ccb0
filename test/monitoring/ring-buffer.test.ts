import { expect } from 'chai';
import { RingBuffer } from '../../src/monitoring';

describe('RingBuffer', () => {
  it('holds 1000 items by default and evicts the oldest beyond that', () => {
    const ring = new RingBuffer<number>();
    expect(ring.capacity).to.equal(1000);
    for (let i = 1; i <= 1000; i++) ring.push(i);
    expect(ring.size).to.equal(1000);
    expect(ring.toArray()[0]).to.equal(1);

    ring.push(1001);
    ring.push(1002);
    const items = ring.toArray();
    expect(items).to.have.length(1000);
    expect(items[0]).to.equal(3);
    expect(items[999]).to.equal(1002);
  });

  it('lists the newest first, up to a limit and through a filter', () => {
    const ring = new RingBuffer<number>(5);
    for (let i = 1; i <= 8; i++) ring.push(i);
    expect(ring.toArray()).to.deep.equal([4, 5, 6, 7, 8]);
    expect(ring.newest()).to.deep.equal([8, 7, 6, 5, 4]);
    expect(ring.newest(2)).to.deep.equal([8, 7]);
    expect(ring.newest(10, (n) => n % 2 === 0)).to.deep.equal([8, 6, 4]);
  });

  it('starts empty again after clear', () => {
    const ring = new RingBuffer<string>(3);
    ring.push('a');
    ring.push('b');
    ring.clear();
    expect(ring.size).to.equal(0);
    expect(ring.toArray()).to.deep.equal([]);
    ring.push('c');
    expect(ring.toArray()).to.deep.equal(['c']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).to.throw(RangeError);
    expect(() => new RingBuffer(1.5)).to.throw(RangeError);
  });
});
