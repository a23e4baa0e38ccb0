import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { keys } from '../../src/cache';
import {
  TEST_ADMIN_TOKEN,
  TEST_SECRET,
  chatWithHost,
  queryDatabase,
  redisCommand,
  startServerProcess,
  startStack,
  type ServerProcess,
  type Stack,
} from '../support';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, skipWithoutChromium } from '../support/chromium';
import { connect, joinOk, send, type ChatSocket } from '../support/sockets';
import { until } from './helpers';

/** Bounded load: this long, one send every SEND_EVERY_MS. */
const LOAD_MS = 25_000;
const SEND_EVERY_MS = 120;

const attr = (page: Page, testid: string, name: string) => page.getByTestId(testid).getAttribute(name);
const text = (page: Page, testid: string) => page.getByTestId(testid).innerText();

describe('monitoring dashboard at 3 a.m.: off state, charts under load, actions (postgres+redis, headless Chromium)', function () {
  this.timeout(150_000);
  let stack: Stack;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const sockets: ChatSocket[] = [];

  before(async function () {
    skipWithoutChromium(this);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack('postgres+redis');
    server = await startServerProcess({
      ...stack.env,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SESSION_SECRET: TEST_SECRET,
      HOSTNAME: 'pod-3am',
      LOG_LEVEL: 'info',
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    await browser?.close();
    await server?.stop();
    await stack?.dispose();
  });

  it('says a wrong token is the wrong token, and that monitoring is off until it is switched on', async () => {
    await page.goto(`${server.url}/admin/monitoring`);
    await page.getByTestId('login-token').fill('a-stale-token-from-staging');
    await page.keyboard.press('Enter');
    await page
      .getByTestId('login-error')
      .filter({ hasText: "Wrong admin token: the server refused it. It is not this deployment's ADMIN_TOKEN" })
      .waitFor();

    await page.getByTestId('login-token').fill(TEST_ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('off-banner').waitFor();
    expect(await text(page, 'off-banner'))
      .to.include('Monitoring is off')
      .and.include('PUT /admin/settings');
    expect(await text(page, 'mode')).to.match(/off/i);
    expect(await text(page, 'metric-hit-rate'), 'no reads: no ratio').to.equal('—');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitoring-off.png'), fullPage: true });

    // Keyboard only: focus the banner's button and press Enter.
    await page.getByTestId('off-enable').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('off-banner').waitFor({ state: 'hidden', timeout: 15_000 });
    expect(server.output()).to.match(/"action":"settings".*"enable_monitoring":true/);
  });

  it('under a bounded load shows moving charts, the socket count, Redis memory and the busiest chats', async () => {
    await page.getByTestId('refresh-interval').selectOption('1');
    const chats = [await chatWithHost(server.url), await chatWithHost(server.url), await chatWithHost(server.url)];
    for (const c of chats) {
      const socket = await connect(server.url, c.host.token);
      sockets.push(socket);
      await joinOk(socket, { code: c.code });
    }
    const busiest = chats[0];
    const end = Date.now() + LOAD_MS;
    let n = 0;
    while (Date.now() < end) {
      // The first chat gets half the sends: it must lead the busiest chats.
      const c = n % 2 === 0 ? chats[0] : chats[1 + ((n >> 1) % 2)];
      const ack = await send(sockets[chats.indexOf(c)], c.code, `load ${n}`);
      expect(ack.ok, JSON.stringify(ack)).to.equal(true);
      if (n % 5 === 0) expect((await c.host.get(`/api/chats/${c.code}/messages?limit=20`)).status).to.equal(200);
      n++;
      await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
    }

    // Charts: several points, and the ops/s line is not flat.
    await until(
      'ops chart with points that move',
      async () => {
        const points = Number(await attr(page, 'chart-ops', 'data-points'));
        const shape = new Set((await attr(page, 'chart-ops', 'data-shape'))?.split(','));
        return points >= 8 && shape.size >= 3 ? true : undefined;
      },
      20_000,
      250,
    );
    expect(Number(await attr(page, 'chart-sockets', 'data-last')), 'sockets chart').to.be.at.least(3);
    expect(Number(await attr(page, 'chart-hit-rate', 'data-points')), 'hit-rate chart').to.be.above(0);
    expect(Number(await attr(page, 'chart-latency', 'data-points')), 'latency chart').to.be.above(0);
    expect(await page.getByTestId('chart-ops').locator('polyline.s0').getAttribute('points')).to.match(/\d+\.\d,\d+\.\d \d/);
    await until(
      'socket count on the card',
      async () => (Number(await text(page, 'metric-sockets-connected')) >= 3 ? true : undefined),
      10_000,
      250,
    );
    expect(await text(page, 'metric-redis-memory')).to.match(/\d+\.\d (KB|MB)/);
    expect(await text(page, 'metric-eviction-policy')).to.match(/^[a-z-]+$/);
    expect(await text(page, 'metric-repair-queue')).to.equal('0');
    const first = page.getByTestId('busy-row').first();
    expect(await first.getAttribute('data-chat'), 'busiest chat first').to.equal(busiest.code);
    expect(await page.getByTestId('busy-row').count()).to.be.at.least(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-under-load.png'), fullPage: true });
  });

  it('repairs a window emptied behind its back, from the keyboard, and audits who did it', async () => {
    const c = await chatWithHost(server.url);
    for (let i = 0; i < 5; i++) expect((await c.host.post(`/api/chats/${c.code}/messages`, { content: `kept ${i}` })).status).to.equal(201);
    const key = keys.window(c.code, 'main');
    expect(Number(await redisCommand(stack.redis!.port, ['ZCARD', key]))).to.be.at.least(5);
    await redisCommand(stack.redis!.port, ['DEL', key]);
    expect(Number(await redisCommand(stack.redis!.port, ['ZCARD', key])), 'emptied').to.equal(0);

    await page.getByTestId('action-code').focus();
    await page.keyboard.type(c.code.toLowerCase());
    await page.keyboard.press('Enter'); // the form's default button: repair
    await page
      .getByTestId('action-status')
      .filter({ hasText: `Repair of ${c.code} done` })
      .waitFor();
    expect(Number(await redisCommand(stack.redis!.port, ['ZCARD', key])), 'the window is back').to.be.at.least(5);
    expect(await text(page, 'action-status')).to.match(/main \d+ messages/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-repair-done.png'), fullPage: true });

    const audit = server
      .output()
      .split('\n')
      .find((l) => l.includes('"action":"repair_chat"') && l.includes(c.code));
    expect(audit, 'an audit line').to.be.a('string');
    expect(audit)
      .to.match(/"who":"sha256:[0-9a-f]{12}"/)
      .and.match(/"at":"\d{4}-\d\d-\d\dT/)
      .and.include('"outcome":"done"');
    expect(server.output()).not.to.include(TEST_ADMIN_TOKEN);
  });

  it('shows a client 409 apart from a PostgreSQL failure, each with its code', async () => {
    const c = await chatWithHost(server.url);
    const sent = await c.host.post(`/api/chats/${c.code}/messages`, { content: 'delete me twice' });
    expect((await c.host.delete(`/api/chats/${c.code}/messages/${sent.body.id}`)).status).to.equal(200);
    expect((await c.host.delete(`/api/chats/${c.code}/messages/${sent.body.id}`)).status).to.equal(409);
    // The database refuses one statement: a store failure.
    await queryDatabase(
      stack.env.DATABASE_URL,
      `alter table messages add constraint refuse_3am check (content <> 'refused at 3 am') not valid`,
    );
    expect((await c.host.post(`/api/chats/${c.code}/messages`, { content: 'refused at 3 am' })).status).to.be.at.least(500);

    await page.getByTestId('chat-filter').fill(c.code);
    const client = page.locator(`[data-testid="event-row"][data-chat="${c.code}"][data-error-kind="client"]`);
    const store = page.locator(`[data-testid="event-row"][data-chat="${c.code}"][data-error-kind="store"]`);
    await client.first().waitFor({ timeout: 15_000 });
    await store.first().waitFor({ timeout: 15_000 });
    expect(await client.count()).to.equal(1);
    expect(await store.count()).to.equal(1);
    expect(await client.getAttribute('data-error-code')).to.equal('conflict');
    expect(await store.getAttribute('data-error-code')).to.equal('23514');
    expect(await client.innerText())
      .to.include('client error conflict')
      .and.include('the message is deleted');
    expect(await store.innerText())
      .to.include('store error 23514')
      .and.include('refuse_3am');
    expect(await text(page, 'metric-client-errors')).to.equal('1');
    expect(await text(page, 'metric-errors')).to.equal('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-client-and-store-error.png'), fullPage: true });
  });
});
