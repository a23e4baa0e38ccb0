import { expect } from 'chai';
import { MemoryEngine, type CachedMessage } from '../../src/cache';
import { loadConfig } from '../../src/config';
import { CacheInspector, MemoryKeyspace, OpsContext, WindowMonitor } from '../../src/ops';

const limits = { maxCount: 5, ttlSeconds: 86_400, pinnedTtlSeconds: 604_800 };

function cached(seq: number, extra: Record<string, unknown> = {}): CachedMessage {
  const view = {
    id: `m-${seq}`,
    seq,
    version: seq,
    username: 'alice',
    username_is_reserved: true,
    message_type: 'normal',
    content: `hi ${seq}`,
    created_at: new Date(seq * 1000).toISOString(),
    deleted: false,
    pinned_until: null,
    pin_amount_cents: null,
    ...extra,
  };
  return { seq, version: Number(view.version), json: JSON.stringify(view) };
}

describe('ops: the keyspace and inspector over the memory engine (in-process)', () => {
  it('lists, ranges and deletes keys the way the Redis keyspace does', async () => {
    const engine = new MemoryEngine(limits);
    await engine.append('ABCD1234', 'main', [cached(1), cached(2), cached(3)]);
    await engine.writeReactions('ABCD1234', 'm-2', { '👍': 2 });
    await engine.setUserValue('u-1', 'profile', '{}', 60);
    const ks = new MemoryKeyspace(engine);

    expect((await ks.scan('chat:{*}:*')).sort()).to.deep.equal([
      'chat:{ABCD1234}:messages',
      'chat:{ABCD1234}:meta',
      'chat:{ABCD1234}:reactions:m-2',
    ]);
    const [window] = await ks.stat(['chat:{ABCD1234}:messages', 'chat:{NOPE0000}:messages']);
    expect(window).to.include({ kind: 'messages', type: 'zset', count: 3, ttlSeconds: 86_400 });
    expect((await ks.range('chat:{ABCD1234}:messages', -2, -1)).map((m) => m.score)).to.deep.equal([2, 3]);
    expect((await ks.findMembers('chat:{ABCD1234}:messages', 'm-2')).map((m) => m.score)).to.deep.equal([2]);
    expect(await ks.hash('chat:{ABCD1234}:meta')).to.deep.equal({ main: '3' });
    expect(await ks.value('user:{u-1}:profile')).to.equal('{}');
    expect(await ks.idleSeconds(['user:{u-1}:profile'])).to.deep.equal([null]);
    expect(await ks.delete(['user:{u-1}:profile', 'user:{u-2}:profile'])).to.equal(1);
    expect(await ks.scan('user:{*}:*')).to.deep.equal([]);
  });

  it('reports stats with the note that a separate process sees none of it', async () => {
    const ctx = new OpsContext(loadConfig({ DATABASE_URL: 'sqlite://:memory:', LOG_LEVEL: 'silent' }));
    try {
      const engine = await ctx.cache();
      await engine.append('ABCD1234', 'main', [cached(1), cached(2)]);
      await engine.append('ABCD1234', 'backroom', [cached(1)]);
      const stats = await new CacheInspector(ctx).stats();
      expect(stats).to.deep.include({ engine: 'memory', chats_cached: 1, messages_cached: 3, main_windows: 1, backroom_caches: 1 });
      expect(stats.note).to.match(/a separate job sees no entries/);
    } finally {
      await ctx.close();
    }
  });

  it('the window monitor counts new messages and deletions, but not trimming', async () => {
    const ctx = new OpsContext(loadConfig({ DATABASE_URL: 'sqlite://:memory:', LOG_LEVEL: 'silent', MESSAGE_CACHE_MAX_COUNT: '5' }));
    try {
      const engine = await ctx.cache();
      await engine.append('ABCD1234', 'main', [cached(1), cached(2), cached(3), cached(4), cached(5)]);
      const monitor = new WindowMonitor(ctx, 'ABCD1234');
      expect(await monitor.tick()).to.include({ count: 5, added: 0, deleted: 0 });
      // Two sends push seqs 1 and 2 out of the 5-message window: that is trimming, not deletion.
      await engine.append('ABCD1234', 'main', [cached(6), cached(7)]);
      expect(await monitor.tick()).to.include({ count: 5, added: 2, deleted: 0 });
      await engine.update('ABCD1234', 'main', cached(4, { version: 99, deleted: true, content: '' }));
      expect(await monitor.tick()).to.include({ count: 5, added: 0, deleted: 1 });
      await engine.dropChat('ABCD1234');
      expect(await monitor.tick()).to.include({ count: 0, gone: true });
    } finally {
      await ctx.close();
    }
  });
});
