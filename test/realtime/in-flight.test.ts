import { expect } from 'chai';
import { InFlight } from '../../src/realtime/in-flight';

const settledSoon = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('in-flight socket events (what a draining pod waits for)', () => {
  it('is idle at once when no event is being handled', async () => {
    expect(await settledSoon(new InFlight().idle())).to.equal(true);
  });

  it('becomes idle when the last of several events ends, and every waiter hears it', async () => {
    const inFlight = new InFlight();
    inFlight.begin();
    inFlight.begin();
    const first = inFlight.idle();
    const second = inFlight.idle();
    inFlight.end();
    expect(await settledSoon(first)).to.equal(false);
    inFlight.end();
    expect(await settledSoon(first)).to.equal(true);
    expect(await settledSoon(second)).to.equal(true);
  });

  it('waits again for events that begin after it was idle', async () => {
    const inFlight = new InFlight();
    inFlight.begin();
    inFlight.end();
    inFlight.begin();
    const idle = inFlight.idle();
    expect(await settledSoon(idle)).to.equal(false);
    inFlight.end();
    expect(await settledSoon(idle)).to.equal(true);
  });
});
