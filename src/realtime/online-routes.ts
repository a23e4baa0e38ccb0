import Router from '@koa/router';
import { inputs, type ChatServices } from '../chat';
import { AppError } from '../errors';

/** `GET /api/chats/:code/online` → `{ code, online: [username…] }` (CONTRACT.md). */
export function onlineRoutes(chat: ChatServices, presence: { online(code: string): Promise<string[]> }): Router {
  const router = new Router({ prefix: '/api/chats' });
  router.get('/:code/online', async (ctx) => {
    const code = inputs.parseInput(inputs.chatCode, ctx.params.code.toUpperCase());
    await chat.store.chatRef(code); // 404 for a chat that does not exist
    let online: string[];
    try {
      online = await presence.online(code);
    } catch (err) {
      throw AppError.unavailable('presence is unavailable right now', err);
    }
    ctx.body = { code, online };
  });
  return router;
}
