// Ceiling (2): a bare Koa + @koa/router route answering a 50-message history page from memory. The
// page's messages are kept as JSON strings, as the cache holds them, and joined per request, so the
// ceiling is "Koa answering this page", not "a constant buffer".
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { bareMessage, benchContent } from './bare-message';

const PAGE = 50;
const items = Array.from({ length: PAGE }, (_, i) => JSON.stringify(bareMessage('BENCHAAA', 1000 - i, benchContent(`history ${i}`))));

const app = new Koa();
const router = new Router({ prefix: '/api/chats' });
router.get('/:code/messages', (ctx) => {
  ctx.type = 'application/json';
  ctx.body = `{"messages":[${items.join(',')}],"has_more":true,"next_before":${1000 - PAGE + 1},"last_seq":1000,"source":"memory"}`;
});
app.use(router.routes());

const http = createServer(app.callback());
http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
