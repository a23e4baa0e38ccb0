import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let page: string | undefined;

/** The staff dashboard (`GET /admin/monitoring`): one self-contained HTML page, read from disk once. */
export function dashboardPage(): string {
  // copy-assets.js puts dashboard.html next to the compiled dashboard-page.js
  page ??= readFileSync(join(__dirname, 'dashboard.html'), 'utf8');
  return page;
}
