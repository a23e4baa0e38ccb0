import { expect } from 'chai';
import fs from 'node:fs';
import type { ServerProcess } from '../support';
import { sqliteServer } from '../clients/helpers';

describe('web chat assets at / and /web/', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let dir: string;

  before(async () => {
    ({ server, dir } = await sqliteServer());
  });
  after(async () => {
    await server?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page with a content security policy, and its hashed assets cached for good', async () => {
    const page = await fetch(server.url + '/');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
    expect(page.headers.get('cache-control')).to.equal('no-cache');
    const script = /src="(\/web\/app-[A-Z0-9]+\.js)"/.exec(await page.text())?.[1];
    const asset = await fetch(server.url + script);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.include('immutable');
    expect((await fetch(server.url + '/web/../package.json')).status).to.equal(404);
  });

  it('answers 404 for a file the build did not make', async () => {
    expect((await fetch(server.url + '/web/app-AAAAAAAA.js')).status).to.equal(404);
    expect((await fetch(server.url + '/web/index.html')).status).to.equal(404);
  });
});
