import { expect } from 'chai';
import { ATTR, setLightSpanSink, setSpansWanted, traced, type EndedSpan } from '../../src/telemetry';

/** `traced` on the light-span path (no tracing backend), in process: what the monitor is handed. */
describe('traced (light spans)', () => {
  const ended: { name: string; failed: boolean; durationMs: number; result: unknown; chat: unknown }[] = [];
  before(() => {
    setSpansWanted(true);
    setLightSpanSink((s: EndedSpan) =>
      ended.push({
        name: s.name,
        failed: s.failed,
        durationMs: s.durationMs,
        result: s.attribute(ATTR.cacheResult),
        chat: s.attribute(ATTR.chatCode),
      }),
    );
  });
  beforeEach(() => (ended.length = 0));
  after(() => {
    setLightSpanSink(null);
    setSpansWanted(true);
  });

  it('hands over one ended span with the newest attributes and the operation’s duration, and passes the value through', async () => {
    const value = await traced('cache.read', { [ATTR.chatCode]: 'TRACED01', [ATTR.cacheResult]: 'miss' }, async (span) => {
      span.setAttributes({ [ATTR.cacheResult]: 'hit' });
      await new Promise((r) => setTimeout(r, 20));
      return 42;
    });
    expect(value).to.equal(42);
    expect(ended).to.have.length(1);
    expect(ended[0]).to.include({ name: 'cache.read', failed: false, result: 'hit', chat: 'TRACED01' });
    expect(ended[0]!.durationMs).to.be.at.least(15);
  });

  it('marks the span failed and ends it once when the operation rejects, and rejects with the same error', async () => {
    const boom = new Error('rejected');
    const outcome = await traced('db.write', {}, async () => {
      throw boom;
    }).catch((err: unknown) => err);
    expect(outcome).to.equal(boom);
    expect(ended).to.deep.equal([{ name: 'db.write', failed: true, durationMs: ended[0]?.durationMs, result: undefined, chat: undefined }]);
  });

  it('turns an operation that throws before returning a promise into a rejection, with its span failed and ended once', async () => {
    const boom = new Error('thrown');
    const running = traced('db.read', {}, (() => {
      throw boom;
    }) as unknown as () => Promise<void>);
    expect(running).to.be.instanceOf(Promise);
    expect(await running.catch((err: unknown) => err)).to.equal(boom);
    expect(ended.map((s) => [s.name, s.failed])).to.deep.equal([['db.read', true]]);
  });
});
