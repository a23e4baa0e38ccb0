import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_ADMIN_TOKEN, TEST_SECRET, chatWithHost, startServerProcess, type ApiClient, type ServerProcess } from '../support';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, skipWithoutChromium } from '../support/chromium';
import { admin, monitoringView, until } from './helpers';

// Functions run in the page reach the DOM through `globalThis as any`: this project compiles
// without the DOM library. They stay functions: string predicates need eval, which the page's CSP forbids.
const storedToken = (page: Page) => page.evaluate(() => (globalThis as any).sessionStorage.getItem('chatpop.adminToken') as string | null);

const rowsOf = (page: Page, code?: string) =>
  page.locator(code ? `[data-testid="event-row"][data-chat="${code}"]` : '[data-testid="event-row"]');

describe('monitoring dashboard in headless Chromium', function () {
  this.timeout(90_000);
  let dir: string;
  let server: ServerProcess;
  let browser: BrowserContext;
  let page: Page;
  const apiRequests: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpop-dashboard-'));
    server = await startServerProcess({
      DATABASE_URL: `sqlite://${path.join(dir, 'chatpop.sqlite')}`,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SESSION_SECRET: TEST_SECRET,
      ENABLE_MONITORING: 'true',
      HOSTNAME: 'pod-browser',
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => {
      if (r.url().includes('/admin/monitoring/api')) apiRequests.push(r.url());
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Sends and reads in a chat; returns its code and a content string that must never show. */
  async function traffic(host: ApiClient, code: string, sends = 2): Promise<string> {
    const secret = `secret-${randomUUID()}`;
    for (let i = 0; i < sends; i++)
      expect((await host.post(`/api/chats/${code}/messages`, { content: `${secret} ${i}` })).status).to.equal(201);
    expect((await host.get(`/api/chats/${code}/messages`)).status).to.equal(200);
    return secret;
  }

  it('logs in, sees events after traffic, filters by chat, pauses and resumes, switches monitoring', async () => {
    // Opening the page without a token: the login form, with the 401.
    const opened = await page.goto(`${server.url}/admin/monitoring`);
    expect(opened?.status()).to.equal(401);
    await page.getByTestId('login-form').waitFor();

    // A wrong token is refused and forgotten.
    await page.getByTestId('login-token').fill('not-the-admin-token-at-all');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'Wrong admin token' }).waitFor();
    expect(await storedToken(page)).to.equal(null);

    await page.getByTestId('login-token').fill(TEST_ADMIN_TOKEN);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('dashboard').waitFor();
    expect(await storedToken(page)).to.equal(TEST_ADMIN_TOKEN);
    expect(await page.evaluate(() => (globalThis as any).localStorage.length as number)).to.equal(0);
    await page.getByTestId('refresh-interval').selectOption('1');

    // Traffic in two chats: both show up in the event log, colour-coded by kind.
    const a = await chatWithHost(server.url);
    const b = await chatWithHost(server.url);
    const secrets = [await traffic(a.host, a.code), await traffic(b.host, b.code)];
    await rowsOf(page, a.code).first().waitFor({ timeout: 10_000 });
    await rowsOf(page, b.code).first().waitFor({ timeout: 10_000 });
    expect(await page.locator(`[data-testid="event-row"][data-chat="${a.code}"][data-kind="hit"]`).count(), 'a cache hit row').to.be.above(
      0,
    );
    const podRows = await page.getByTestId('pod-row').all();
    expect(await Promise.all(podRows.map((r) => r.getAttribute('data-pod')))).to.deep.equal(['pod-browser']);
    // Four sends, four commits. A refresh may land between chat b's two sends (its first row is
    // already there), so wait for the next refresh to count them all rather than read the first.
    await page.waitForFunction(
      () => Number((globalThis as any).document.querySelector('[data-testid="metric-db-writes"]')?.textContent?.replace(/\D/g, '')) >= 4,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.getByTestId('mode').textContent()).to.equal('detailed');

    // Filter by chat (typed in lower case): only that chat's events remain.
    await page.getByTestId('chat-filter').fill(a.code.toLowerCase());
    await page.waitForFunction((code) => {
      const rows: any[] = [...(globalThis as any).document.querySelectorAll('[data-testid="event-row"]')];
      return rows.length > 0 && rows.every((r) => r.dataset.chat === code);
    }, a.code);
    await page
      .getByTestId('event-count')
      .filter({ hasText: `for ${a.code}` })
      .waitFor();

    // Pause: no more requests and the log stands still while new events pile up on the server.
    await page.getByTestId('pause-button').click();
    expect(await page.getByTestId('pause-button').getAttribute('aria-pressed')).to.equal('true');
    const shown = await rowsOf(page).count();
    const requestsAtPause = apiRequests.length;
    secrets.push(await traffic(a.host, a.code, 3));
    await until('the new events on the server', async () =>
      (await monitoringView(server.url, `?chat=${a.code}`)).events.length > shown ? true : undefined,
    );
    // Proving that nothing happens takes a wait: more than two refresh intervals (1 s).
    await page.waitForTimeout(2500);
    expect(apiRequests.length, 'API requests while paused').to.equal(requestsAtPause);
    expect(await rowsOf(page).count()).to.equal(shown);

    // Resume: the new events arrive.
    await page.getByTestId('pause-button').click();
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('[data-testid="event-row"]').length > n, shown);

    // Only codes, counts and timings: no message content anywhere on the page.
    const html = await page.content();
    for (const secret of secrets) expect(html).not.to.include(secret);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitoring-dashboard.png'), fullPage: true });

    // The switch: off for every pod through PUT /admin/settings.
    await page.getByTestId('monitoring-toggle').uncheck();
    await until('the server to switch monitoring off', async () =>
      (await admin(server.url).get('/admin/settings')).body.enable_monitoring === false ? true : undefined,
    );
    expect((await monitoringView(server.url)).enabled).to.equal(false);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('event-log').waitFor();
    const fits = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth);
    expect(fits).to.equal(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitoring-dashboard-narrow.png'), fullPage: true });
  });
});
