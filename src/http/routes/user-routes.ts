import Router from '@koa/router';
import type { TokenService } from '../../auth';
import { inputs } from '../../chat';
import type { UserServices } from '../../users';
import { requireSession, requireUser, type AuthState } from '../auth-middleware';
import type { Body } from '../responses';

const { parseInput } = inputs;

/**
 * Conversations, read markers, unread counts and profiles (docs/contract.md REST). Handlers validate,
 * call one service, answer.
 */
export function userRoutes(u: UserServices, tokens: TokenService): Router {
  const router = new Router({ prefix: '/api' });
  const user = requireUser(tokens);
  const state = (ctx: { state: unknown }) => ctx.state as AuthState;

  router.param('code', async (code, ctx, next) => {
    ctx.params.code = parseInput(inputs.chatCode, code.toUpperCase());
    return next();
  });
  router.param('username', async (username, ctx, next) => {
    ctx.params.username = parseInput(inputs.accountName, username);
    return next();
  });

  /** 201 with the new conversation, or 200 with the pair's existing one. */
  router.post('/conversations', user, async (ctx) => {
    const body = parseInput(inputs.conversationInput, ctx.request.body);
    const conversation = await u.conversations.open(state(ctx).user!, body.with);
    ctx.status = conversation.created ? 201 : 200;
    ctx.body = conversation;
  });

  router.get('/me/conversations', user, async (ctx) => {
    ctx.body = { conversations: await u.conversations.list(state(ctx).user!.sub) } satisfies Body<'ConversationList'>;
  });

  router.get('/me/unread-count', user, async (ctx) => {
    ctx.body = { unread: await u.reads.unreadCount(state(ctx).user!.sub) } satisfies Body<'UnreadCount'>;
  });

  router.get('/me', user, async (ctx) => {
    ctx.body = await u.profiles.byId(state(ctx).user!.sub);
  });

  router.patch('/me', user, async (ctx) => {
    const { display_name } = parseInput(inputs.profileUpdateInput, ctx.request.body);
    ctx.body = await u.profiles.updateDisplayName(state(ctx).user!.sub, display_name);
  });

  router.get('/users/:username', user, async (ctx) => {
    ctx.body = await u.profiles.byUsername(ctx.params.username);
  });

  router.post('/chats/:code/read', requireSession(tokens), async (ctx) => {
    const { seq } = parseInput(inputs.readInput, ctx.request.body);
    ctx.body = await u.reads.markRead(state(ctx).session!, ctx.params.code, seq);
  });

  return router;
}
