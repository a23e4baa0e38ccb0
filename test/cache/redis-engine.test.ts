import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import { RedisEngine, type CachedMessage } from '../../src/cache';
import { SCRIPT_SHA } from '../../src/cache/redis/scripts';
import { startRedis, type RedisHandle } from '../support';

const limits = { maxCount: 50, ttlSeconds: 3600, pinnedTtlSeconds: 7200 };
const msg = (seq: number): CachedMessage => ({ seq, version: seq, json: JSON.stringify({ id: `m${seq}`, seq }) });

/** Counts the writes a socket hands to the OS: one per `_write`, one per `_writev` (corked chunks). */
function countWrites(socket: Socket): { writes: number; chunks: number } {
  const seen = { writes: 0, chunks: 0 };
  const raw = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void };
  const write = raw._write.bind(socket);
  const writev = raw._writev.bind(socket);
  raw._write = (...a) => {
    seen.writes++;
    seen.chunks++;
    write(...a);
  };
  raw._writev = (chunks, cb) => {
    seen.writes++;
    seen.chunks += chunks.length;
    writev(chunks, cb);
  };
  return seen;
}

describe('Redis cache engine', function () {
  this.timeout(20_000);
  let server: RedisHandle;
  let engine: RedisEngine;

  before(async () => {
    server = await startRedis();
    engine = new RedisEngine(new Redis(server.url), limits);
  });
  after(async () => {
    await engine?.close();
    await server?.stop();
  });

  // Window writes call their Lua script by SHA; a Redis that lost its scripts must not lose writes.
  describe('window writes when Redis no longer holds the scripts', () => {
    it('appends and updates after SCRIPT FLUSH, and finds the script by SHA again afterwards', async () => {
      await engine.append('SCRIPTS1', 'main', [msg(1)]);
      await (engine.client as Redis).script('FLUSH');

      await engine.append('SCRIPTS1', 'main', [msg(2), msg(3)]);
      await engine.update('SCRIPTS1', 'main', { ...msg(2), version: 9 });
      expect(await engine.windowState('SCRIPTS1', 'main')).to.deep.equal({ lastSeq: 3, count: 3 });
      const [loaded] = (await (engine.client as Redis).script('EXISTS', SCRIPT_SHA.chatpopUpsert)) as number[];
      expect(loaded).to.equal(1);
    });
  });

  // A group commit appends to every chat it stored sends for, all in one tick.
  describe('the window writes of one tick share one socket write', () => {
    before(() => engine.append('CORK0', 'main', [msg(1)])); // connected, script loaded

    it("sends eight chats' appends in one write, stores every one, and writes the next tick's on its own", async () => {
      const seen = countWrites((engine.client as Redis).stream as Socket);
      const codes = Array.from({ length: 8 }, (_, i) => `CORK${i + 1}`);
      await Promise.all(codes.map((code, i) => engine.append(code, 'main', [msg(1), msg(2 + i)])));
      expect(seen).to.deep.equal({ writes: 1, chunks: 8 });

      for (const code of codes)
        expect(await engine.windowState(code, 'main')).to.deep.equal({ lastSeq: codes.indexOf(code) + 2, count: 2 });
      const before = seen.writes;
      await engine.append('CORK1', 'main', [msg(20)]);
      expect(seen.writes - before).to.equal(1);
      expect(await engine.windowState('CORK1', 'main')).to.deep.equal({ lastSeq: 20, count: 3 });
    });

    it('sends appends queued from a chain of microtasks in the same write', async () => {
      const seen = countWrites((engine.client as Redis).stream as Socket);
      const done: Promise<void>[] = [];
      await Promise.resolve().then(() => {
        done.push(engine.append('CHAIN1', 'main', [msg(1)]));
        void Promise.resolve().then(() => done.push(engine.append('CHAIN2', 'main', [msg(1)])));
      });
      await Promise.resolve();
      await Promise.all(done);
      expect(done).to.have.length(2);
      expect(seen).to.deep.equal({ writes: 1, chunks: 2 });
    });
  });
});
