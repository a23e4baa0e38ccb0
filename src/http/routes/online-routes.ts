import Router from '@koa/router';
import type { TokenService } from '../../auth';
import { inputs, type ChatServices } from '../../chat';
import { AppError } from '../../errors';
import { sessionOf } from '../auth-middleware';
import type { Body } from '../responses';

/** `GET /api/chats/:code/online` → `{ code, online: [username…] }` (docs/contract.md). */
export function onlineRoutes(chat: ChatServices, tokens: TokenService, presence: { online(code: string): Promise<string[]> }): Router {
  const router = new Router({ prefix: '/api/chats' });
  router.get('/:code/online', async (ctx) => {
    const code = inputs.parseInput(inputs.chatCode, ctx.params.code.toUpperCase());
    // 404 for a chat that does not exist; a private conversation's members only
    await chat.chats.assertReadable(code, () => sessionOf(ctx, tokens));
    let online: string[];
    try {
      online = await presence.online(code);
    } catch (err) {
      throw AppError.unavailable('presence is unavailable right now', err);
    }
    ctx.body = { code, online } satisfies Body<'Online'>;
  });
  return router;
}
