import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { Client } from 'pg';
import { makeTempDir } from './child-processes';
import {
  createTestDatabase,
  nodeFlagsHere,
  queryDatabase,
  redisCommand,
  startRedis,
  startRedisCluster,
  startServerProcess,
  type RedisHandle,
} from './index';

/** Resolves true if something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('test support', () => {
  describe('startRedis', () => {
    let redis: RedisHandle | undefined;
    afterEach(async () => redis?.stop());

    it('answers PING and refuses connections once stopped', async () => {
      redis = await startRedis();
      expect(redis.url).to.equal(`redis://127.0.0.1:${redis.port}`);
      expect(redis.port).to.not.equal(6379);
      expect(await redisCommand(redis.port, ['PING'])).to.equal('PONG');
      await redis.stop();
      expect(await accepts(redis.port)).to.equal(false);
    });

    it('restarts on the same port with empty data', async () => {
      redis = await startRedis();
      await redisCommand(redis.port, ['SET', 'k', 'v']);
      const firstPid = redis.pid;
      await redis.restart();
      expect(redis.pid).to.not.equal(firstPid);
      expect(await redisCommand(redis.port, ['GET', 'k'])).to.equal(null);
    });

    it('comes back after kill() with restart()', async () => {
      redis = await startRedis();
      await redis.kill();
      expect(await accepts(redis.port)).to.equal(false);
      await redis.restart();
      expect(await redisCommand(redis.port, ['PING'])).to.equal('PONG');
    });

    it('refuses unauthenticated commands when started with a password', async () => {
      redis = await startRedis({ password: 's3cret' });
      expect(redis.url).to.equal(`redis://:s3cret@127.0.0.1:${redis.port}`);
      const error = await redisCommand(redis.port, ['GET', 'k']).catch((err: Error) => err);
      expect(String(error)).to.match(/NOAUTH/);
      const client = new Redis(redis.url, { lazyConnect: true });
      try {
        await client.connect();
        expect(await client.ping()).to.equal('PONG');
      } finally {
        client.disconnect();
      }
    });

    it('stops answering while paused and answers again after resume', async () => {
      redis = await startRedis();
      const client = new Redis(redis.url, { commandTimeout: 200, maxRetriesPerRequest: 0 });
      try {
        await client.ping();
        await redis.pause();
        const error = await client.ping().catch((err: Error) => err);
        expect(String(error)).to.match(/timed out/i);
        await redis.resume();
        expect(await redisCommand(redis.port, ['PING'])).to.equal('PONG');
      } finally {
        client.disconnect();
      }
    });
  });

  describe('startRedisCluster', () => {
    it('starts a cluster whose nodes all report cluster_state:ok and which serves hash-tagged keys', async function () {
      this.timeout(30_000);
      const cluster = await startRedisCluster({ masters: 3 });
      const client = new Cluster(cluster.nodes);
      try {
        expect(cluster.nodesEnv.split(',')).to.have.length(3);
        for (const { port } of cluster.nodes) {
          expect(String(await redisCommand(port, ['CLUSTER', 'INFO']))).to.contain('cluster_state:ok');
        }
        await client.set('{ABC123}:greeting', 'hello');
        expect(await client.get('{ABC123}:greeting')).to.equal('hello');
      } finally {
        client.disconnect();
        await cluster.stop();
      }
    });
  });

  describe('createTestDatabase', () => {
    it('gives each caller its own database that accepts a CREATE TABLE', async function () {
      this.timeout(30_000); // the first call starts the shared server
      const [a, b] = [await createTestDatabase(), await createTestDatabase()];
      try {
        expect(a.url).to.not.equal(b.url);
        // The machine's own PostgreSQL is used only when asked for.
        if (!process.env.TEST_DATABASE_URL) expect(new URL(a.url).port).to.not.equal('5432');
        await queryDatabase(a.url, 'CREATE TABLE t (id int)');
        await queryDatabase(b.url, 'CREATE TABLE t (id int)');
        await queryDatabase(a.url, 'INSERT INTO t VALUES (1)');
        expect(await queryDatabase(b.url, 'SELECT * FROM t')).to.deep.equal([]);
      } finally {
        await a.drop();
        await b.drop();
      }
    });

    it('drop() removes the database, even with a client still connected', async () => {
      const db = await createTestDatabase();
      const lingering = new Client({ connectionString: db.url });
      lingering.on('error', () => undefined); // DROP … WITH (FORCE) terminates it
      await lingering.connect();
      await db.drop();
      const error = await queryDatabase(db.url, 'SELECT 1').catch((err: Error) => err);
      expect(String(error)).to.match(/does not exist/);
      await lingering.end().catch(() => undefined);
    });
  });

  describe('startServerProcess', () => {
    // A stand-in for dist/src/server.js: logs the ready line the way pino does, echoes its env.
    function fakeServer(): string {
      const file = path.join(makeTempDir('chatpop-fake-server-'), 'server.js');
      fs.writeFileSync(
        file,
        `const http = require('node:http');
         const server = http.createServer((req, res) => res.end(JSON.stringify(process.env)));
         server.listen(Number(process.env.PORT), process.env.HOST, () => {
           const url = 'http://' + process.env.HOST + ':' + server.address().port;
           console.log(JSON.stringify({ level: 30, msg: 'listening on ' + url }));
         });
         process.on('SIGTERM', () => server.close(() => process.exit(0)));`,
      );
      return file;
    }

    it('resolves with the printed URL and passes only the chosen settings', async () => {
      process.env.REDIS_URL_FROM_SHELL = 'redis://should-not-leak';
      const server = await startServerProcess({ DATABASE_URL: 'postgres://chosen' }, { script: fakeServer() });
      delete process.env.REDIS_URL_FROM_SHELL;
      try {
        expect(server.url).to.equal(`http://127.0.0.1:${server.port}`);
        const env = (await (await fetch(server.url)).json()) as Record<string, string>;
        expect(env).to.include({ DATABASE_URL: 'postgres://chosen', NODE_ENV: 'test', HOST: '127.0.0.1' });
        expect(env).to.not.have.property('REDIS_URL_FROM_SHELL');
      } finally {
        expect(await server.stop()).to.deep.equal({ code: 0, signal: null });
      }
    });

    it('rejects with the output when the process exits before it is ready', async () => {
      const file = path.join(makeTempDir('chatpop-fake-server-'), 'crash.js');
      fs.writeFileSync(file, `console.error('boom: missing config'); process.exit(3);`);
      const error = await startServerProcess({}, { script: file }).catch((err: Error) => err);
      expect(String(error)).to.match(/exited \(code 3[\s\S]*boom: missing config/);
    });
  });

  describe('nodeFlagsHere', () => {
    it('keeps the flags this Node accepts, in order, and names those it refuses', () => {
      const flags = nodeFlagsHere(['--max-semi-space-size=32', '--no-such-flag-for-chatpop', '--stack-trace-limit=20']);
      expect(flags).to.deep.equal({
        accepted: ['--max-semi-space-size=32', '--stack-trace-limit=20'],
        refused: ['--no-such-flag-for-chatpop'],
      });
    });
  });
});
