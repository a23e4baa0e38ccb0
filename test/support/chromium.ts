// Debian's Chromium for the page tests (apt-get install chromium; `make browser` installs it as root).
import fs from 'node:fs';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
/** Where page tests save screenshots (gitignored). */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'test', 'artifacts');
/** Headless, and nothing that reaches for the network this machine does not have. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skips the suite (from its `before`) when Chromium is not installed, saying why. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (fs.existsSync(CHROMIUM)) return;
  console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
  ctx.skip();
}
