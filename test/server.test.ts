import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, startServerProcess, TEST_SECRET, type RedisHandle } from './support';

describe('server start refused on a setting it cannot honour (server processes)', function () {
  this.timeout(30_000);
  let redis: RedisHandle;
  let dir: string;

  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'chatpop-server-start-'));
  });
  after(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server's stderr line when it exits before listening. */
  const refusal = async (env: Record<string, string>) => {
    const err = await startServerProcess({
      DATABASE_URL: `sqlite://${join(dir, 'chatpop.sqlite')}`,
      SESSION_SECRET: TEST_SECRET,
      ...env,
    }).then(
      async (server) => {
        await server.kill();
        throw new Error(`it started: ${server.url}`);
      },
      (e: Error) => e,
    );
    expect(err.message).to.match(/exited \(code 1,/);
    return err.message.match(/^chatpop: .*$/m)?.[0];
  };

  it('refuses a REDIS_URL whose database the Redis does not have, naming the variable (it does not fall back to database 0)', async () => {
    expect(await refusal({ REDIS_URL: `${redis.url}/99` })).to.match(
      /REDIS_URL: Redis has no database 99 \(ERR DB index is out of range\)/,
    );
  });

  it('refuses a HOST that does not resolve, naming the variable', async () => {
    expect(await refusal({ HOST: 'no-such-host.invalid' })).to.match(/HOST: "no-such-host\.invalid" does not resolve/);
  });

  it('refuses a HOST that is not an address of this machine, naming the variable', async () => {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never a local address.
    expect(await refusal({ HOST: '192.0.2.1' })).to.match(/HOST: "192\.0\.2\.1" is not an address of this machine \(EADDRNOTAVAIL\)/);
  });
});
