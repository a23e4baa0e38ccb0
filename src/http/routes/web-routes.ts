import fs from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors';

/** Where `npm run build` puts the web chat (scripts/build-clients.js): dist/web beside dist/src. */
export const WEB_ROOT = path.resolve(__dirname, '..', '..', '..', 'web');

/**
 * The page's policy: its own scripts, styles and socket only (`'self'` covers the same-origin
 * WebSocket), nothing inline, no framing.
 */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};
/** esbuild's names: name-HASH.ext (hash: 8 letters and digits), and their source maps. */
const ASSET = /^[a-z]+-[A-Z0-9]{8}\.(js|css)(\.map)?$/;

/**
 * The web chat: `GET /` (the page, revalidated on every visit) and `GET /web/<name>-<hash>.js|css`
 * (content-hashed, cached for a year). Files are read once; a build without the page answers 404.
 */
export function webRoutes(root = WEB_ROOT): Router {
  const router = new Router();
  const files = new Map<string, Promise<Buffer | null>>();
  const read = (name: string) => {
    let file = files.get(name);
    if (!file) files.set(name, (file = fs.readFile(path.join(root, name)).catch(() => null)));
    return file;
  };
  const common = (ctx: Context) => {
    ctx.set('Content-Security-Policy', WEB_CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
  };

  router.get('/', async (ctx) => {
    const page = await read('index.html');
    if (!page) throw AppError.notFound('the web chat (run npm run build)');
    common(ctx);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });

  router.get('/web/:name', async (ctx) => {
    const name = ctx.params.name;
    const body = ASSET.test(name) ? await read(name) : null;
    if (!body) throw AppError.notFound(`/web/${name}`);
    common(ctx);
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.type = TYPES[path.extname(name)] ?? 'application/octet-stream';
    ctx.body = body;
  });

  return router;
}
