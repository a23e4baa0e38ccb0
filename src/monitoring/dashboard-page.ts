import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let page: string | undefined;
let headers: Record<string, string> | undefined;

/** The staff dashboard (`GET /admin/monitoring`): one self-contained HTML page, read from disk once. */
export function dashboardPage(): string {
  // copy-assets.js puts dashboard.html next to the compiled dashboard-page.js
  page ??= readFileSync(join(__dirname, 'dashboard.html'), 'utf8');
  return page;
}

const hashesOf = (html: string, tag: 'script' | 'style'): string =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
    .map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`)
    .join(' ');

/**
 * Response headers of the page. The Content-Security-Policy allows exactly the page's own inline
 * script and style (by hash) and requests to this origin: nothing else can run or load, and the
 * token in session storage cannot be sent elsewhere.
 */
export function dashboardHeaders(): Record<string, string> {
  if (!headers) {
    const html = dashboardPage();
    const csp = [
      "default-src 'none'",
      `script-src ${hashesOf(html, 'script')}`,
      // Inline style attributes (the legend's colours) need 'unsafe-hashes' with their hashes;
      // 'unsafe-inline' for style only is a smaller risk than a longer, brittle list.
      `style-src 'unsafe-inline'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    headers = {
      'Content-Security-Policy': csp,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    };
  }
  return headers;
}
