// The web chat at / in Debian's Chromium: two browser contexts (a desktop window and a 375 px
// phone) chat through the page, and keep chatting across a server restart.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, startServerProcess, TEST_SECRET, uniqueName, type ServerProcess } from '../support';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, skipWithoutChromium } from '../support/chromium';
import { GENEROUS_LIMITS, range } from './helpers';

/** "within a few seconds" */
const SOON = 10_000;

const messages = (page: Page) => page.locator('[data-testid="message"]');
const message = (page: Page, text: string) => messages(page).filter({ has: page.locator('[data-testid="content"]', { hasText: text }) });
const connection = (page: Page) => page.getByTestId('connection');

/** The seqs and contents the page shows, top to bottom. */
const shown = (page: Page) =>
  messages(page).evaluateAll((items) =>
    items.map((li) => ({
      seq: Number(li.getAttribute('data-seq')),
      content: li.querySelector('[data-testid="content"]')?.textContent ?? '',
    })),
  );

describe('web chat at / in headless Chromium', function () {
  this.timeout(120_000);
  let dir: string;
  let port: number;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const startServer = async () => {
    server = await startServerProcess({
      DATABASE_URL: `sqlite://${path.join(dir, 'chatpop.sqlite')}`,
      SESSION_SECRET: TEST_SECRET,
      PORT: String(port),
      ...GENEROUS_LIMITS,
    });
  };

  const newPage = async (viewport: { width: number; height: number }) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text())) problems.push(msg.text());
    });
    await page.goto(server.url + '/');
    return page;
  };

  before(async function () {
    skipWithoutChromium(this);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpop-web-'));
    port = await freePort();
    await startServer();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    // What each page showed when the test failed.
    for (const [i, c] of contexts.entries())
      for (const p of c.pages())
        await p.screenshot({ path: path.join(ARTIFACTS, `web-chat-failed-${i}.png`), fullPage: true }).catch(() => undefined);
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets two browsers chat, react and edit live, and both catch up after a server restart with nothing lost or doubled', async () => {
    const alice = await newPage({ width: 1280, height: 860 });
    const bob = await newPage({ width: 375, height: 780 });

    // Alice registers and creates a chat; Bob joins it by code under a name.
    const name = uniqueName('alice');
    await alice.getByLabel('Username').fill(name);
    await alice.getByLabel('Password').fill('correct-horse-1');
    await alice.getByRole('button', { name: 'Register' }).click();
    await alice.getByLabel("New chat's name").fill('Browser test');
    await alice.getByRole('button', { name: 'Create chat' }).click();
    await alice
      .getByTestId('chat-code')
      .filter({ hasText: /^[A-Z0-9]{8}$/ })
      .waitFor({ timeout: SOON });
    const code = (await alice.getByTestId('chat-code').textContent())!.trim();
    expect(code).to.match(/^[A-Z0-9]{8}$/);
    await bob.getByLabel('Chat code').fill(code);
    await bob.getByLabel('Your name in the chat').fill('bob');
    await bob.getByRole('button', { name: 'Join' }).click();
    await connection(bob).filter({ hasText: 'Connected' }).waitFor({ timeout: SOON });

    const say = async (page: Page, text: string) => {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByLabel('Message', { exact: true }).press('Enter');
    };
    await say(alice, 'hello from alice');
    await message(bob, 'hello from alice').waitFor({ timeout: SOON });
    await say(bob, 'hi alice');
    await message(alice, 'hi alice').waitFor({ timeout: SOON });

    // Bob reacts to Alice's message; Alice edits it.
    await message(bob, 'hello from alice')
      .getByRole('button', { name: /React 👍/ })
      .click();
    await message(alice, 'hello from alice').getByRole('button', { name: 'React 👍 (1)' }).waitFor({ timeout: SOON });
    await message(alice, 'hello from alice')
      .getByRole('button', { name: /^Edit message/ })
      .click();
    await alice.getByRole('textbox', { name: 'Edit message' }).fill('hello from alice, edited');
    await alice.getByRole('textbox', { name: 'Edit message' }).press('Enter');
    await message(bob, 'hello from alice, edited').waitFor({ timeout: SOON });
    await alice.getByRole('listitem').filter({ hasText: 'bob' }).first().waitFor({ timeout: SOON }); // online list
    await alice.screenshot({ path: path.join(ARTIFACTS, 'web-chat-desktop.png'), fullPage: true });
    await bob.screenshot({ path: path.join(ARTIFACTS, 'web-chat-375.png'), fullPage: true });

    // The server goes away mid-conversation: both say so; what Alice sends meanwhile waits.
    await server.kill();
    for (const page of [alice, bob]) await connection(page).filter({ hasText: 'Reconnecting' }).waitFor({ timeout: SOON });
    await bob.screenshot({ path: path.join(ARTIFACTS, 'web-chat-375-reconnecting.png'), fullPage: true });
    await say(alice, 'sent while the server was down');
    await startServer();
    for (const page of [alice, bob]) await connection(page).filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
    await message(bob, 'sent while the server was down').waitFor({ timeout: SOON });
    await say(bob, 'after the restart');
    await message(alice, 'after the restart').waitFor({ timeout: SOON });

    const expected = ['hello from alice, edited', 'hi alice', 'sent while the server was down', 'after the restart'];
    for (const page of [alice, bob]) {
      const list = await shown(page);
      expect(list.map((m) => m.seq)).to.deep.equal(range(1, expected.length));
      expect(list.map((m) => m.content)).to.deep.equal(expected);
    }
    await alice.screenshot({ path: path.join(ARTIFACTS, 'web-chat-desktop-after-restart.png'), fullPage: true });

    // Alice opens a second chat; what Bob says in the first shows as unread in her inbox.
    await alice.getByLabel("New chat's name").fill('Second room');
    await alice.getByRole('button', { name: 'Create chat' }).click();
    await alice.locator('#chat-title', { hasText: 'Second room' }).waitFor({ timeout: SOON });
    await say(bob, 'while you were elsewhere');
    await alice
      .locator(`[data-testid="inbox"] li[data-code="${code}"] [data-testid="unread"]`, { hasText: '1' })
      .waitFor({ timeout: SOON });
    await alice.screenshot({ path: path.join(ARTIFACTS, 'web-chat-desktop-inbox.png'), fullPage: true });
    expect(problems).to.deep.equal([]);
  });
});
