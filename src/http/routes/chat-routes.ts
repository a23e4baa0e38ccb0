import Router from '@koa/router';
import type { Context } from 'koa';
import type { TokenService } from '../../auth';
import { inputs, RateLimiter, type ChatServices, type HistoryPage } from '../../chat';
import { AppError } from '../../errors';
import type { Channel } from '../../domain';
import { optionalClaims, requireSession, requireUser, sessionOf, type AuthState } from '../auth-middleware';
import type { Body } from '../responses';

const { parseInput } = inputs;

/** Bodies of pages the history service shares (PageMemo), so a kept page is serialized once. */
const bodies = new WeakMap<HistoryPage, Buffer>();

function pageBuffer(page: HistoryPage): Buffer {
  let body = bodies.get(page);
  if (!body) bodies.set(page, (body = Buffer.from(pageBody(page))));
  return body;
}

/** Serializes a history page around the cached JSON strings, without parsing them again. */
function pageBody(page: HistoryPage): string {
  const tail = JSON.stringify({
    has_more: page.hasMore,
    next_before: page.nextBefore,
    ...(page.nextAfter !== null ? { next_after: page.nextAfter } : {}),
    last_seq: page.lastSeq,
    source: page.source,
  } satisfies Omit<Body<'HistoryPage'>, 'messages'>);
  return `{"messages":[${page.items.join(',')}],${tail.slice(1)}`;
}

/** How many joins a minute (Config.joinLimits). */
export interface JoinLimits {
  /** any joins from one client address @default 30 */
  perAddressPerMinute: number;
  /** anonymous joins of one chat, from every address @default 300 */
  perChatPerMinute: number;
}

/** The chat routes of docs/contract.md under /api/chats. Handlers validate, call one service, answer. */
export function chatRoutes(
  s: ChatServices,
  tokens: TokenService,
  joinLimits: JoinLimits = { perAddressPerMinute: 30, perChatPerMinute: 300 },
): Router {
  const router = new Router({ prefix: '/api/chats' });
  // Each anonymous join is a new participant with a fresh send bucket: joins are what to limit.
  const joinsByAddress = new RateLimiter(joinLimits.perAddressPerMinute, 60);
  const joinsByChat = new RateLimiter(joinLimits.perChatPerMinute, 60);
  const session = requireSession(tokens);
  const state = (ctx: { state: unknown }) => ctx.state as AuthState;

  router.param('code', async (code, ctx, next) => {
    ctx.params.code = parseInput(inputs.chatCode, code.toUpperCase());
    return next();
  });
  router.param('id', async (id, ctx, next) => {
    parseInput(inputs.uuid, id);
    return next();
  });

  router.post('/', requireUser(tokens), async (ctx) => {
    const { name } = parseInput(inputs.createChatInput, ctx.request.body);
    ctx.status = 201;
    ctx.body = await s.chats.create(state(ctx).user!, name);
  });

  // Reads of a private conversation need one of its sessions; other chats are public.
  const readable = (ctx: Context & { params: Record<string, string> }) =>
    s.chats.assertReadable(ctx.params.code, () => sessionOf(ctx, tokens));

  router.get('/:code', async (ctx) => {
    await readable(ctx);
    ctx.body = await s.chats.info(ctx.params.code);
  });

  // A user token claims a reserved name; a session token reclaims the caller's own anonymous name.
  router.post('/:code/join', optionalClaims(tokens), async (ctx) => {
    const { username } = parseInput(inputs.joinInput, ctx.request.body);
    // A user's own joins do not count against the chat: a flood of anonymous ones cannot keep members out.
    const anonymous = !state(ctx).user;
    const wait = Math.max(joinsByAddress.peek(ctx.ip), anonymous ? joinsByChat.peek(ctx.params.code) : 0);
    if (wait) throw AppError.rateLimited(wait);
    joinsByAddress.take(ctx.ip);
    if (anonymous) joinsByChat.take(ctx.params.code);
    ctx.body = await s.chats.join(ctx.params.code, username, state(ctx).user ?? null, state(ctx).session ?? null);
  });

  const history = async (ctx: Context & { params: Record<string, string> }, channel: Channel) => {
    const q = parseInput(inputs.historyQuery, ctx.query);
    const req =
      q.after !== undefined
        ? ({ mode: 'after', after: q.after, limit: q.limit } as const)
        : q.before !== undefined
          ? ({ mode: 'before', before: q.before, limit: q.limit } as const)
          : ({ mode: 'newest', limit: q.limit } as const);
    ctx.type = 'application/json';
    ctx.body = pageBuffer(await s.history.page(ctx.params.code, channel, req));
  };

  router.get('/:code/messages', async (ctx) => {
    if (ctx.query.channel === 'backroom') {
      await s.chats.assertBackroomAccess(await sessionOf(ctx, tokens), ctx.params.code);
      return history(ctx, 'backroom');
    }
    await readable(ctx);
    return history(ctx, 'main');
  });

  router.get('/:code/backroom/messages', session, async (ctx) => {
    await s.chats.assertBackroomAccess(state(ctx).session!, ctx.params.code);
    return history(ctx, 'backroom');
  });

  router.post('/:code/backroom/members', session, async (ctx) => {
    const { username } = parseInput(inputs.joinInput, ctx.request.body);
    ctx.body = await s.chats.addBackroomMember(state(ctx).session!, ctx.params.code, username);
  });

  router.post('/:code/messages', session, async (ctx) => {
    const input = parseInput(inputs.sendInput, ctx.request.body);
    const { message, duplicate } = await s.send.send(state(ctx).session!, ctx.params.code, input);
    ctx.status = duplicate ? 200 : 201;
    ctx.body = message;
  });

  router.patch('/:code/messages/:id', session, async (ctx) => {
    const { content } = parseInput(inputs.editInput, ctx.request.body);
    ctx.body = await s.changes.edit(state(ctx).session!, ctx.params.code, ctx.params.id, content);
  });

  router.delete('/:code/messages/:id', session, async (ctx) => {
    ctx.body = await s.changes.delete(state(ctx).session!, ctx.params.code, ctx.params.id);
  });

  router.post('/:code/messages/:id/pin', session, async (ctx) => {
    const { amount_cents, duration_minutes } = parseInput(inputs.pinInput, ctx.request.body);
    ctx.body = await s.pins.pin(state(ctx).session!, ctx.params.code, ctx.params.id, amount_cents, duration_minutes);
  });

  router.get('/:code/pinned', async (ctx) => {
    await readable(ctx);
    const { pins, source } = await s.pins.active(ctx.params.code);
    ctx.type = 'application/json';
    ctx.body = `{"pinned":[${pins.join(',')}],"source":${JSON.stringify(source satisfies Body<'PinnedPage'>['source'])}}`;
  });

  router.post('/:code/messages/:id/reactions', session, async (ctx) => {
    const { emoji } = parseInput(inputs.reactionInput, ctx.request.body);
    ctx.body = {
      reactions: await s.reactions.react(state(ctx).session!, ctx.params.code, ctx.params.id, emoji, 'add'),
    } satisfies Body<'Reactions'>;
  });

  router.delete('/:code/messages/:id/reactions', session, async (ctx) => {
    // The emoji in a JSON body, or in the query string (?emoji=…) for clients that send DELETE without one.
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const { emoji } = parseInput(inputs.reactionInput, body && Object.keys(body).length ? body : ctx.query);
    ctx.body = {
      reactions: await s.reactions.react(state(ctx).session!, ctx.params.code, ctx.params.id, emoji, 'remove'),
    } satisfies Body<'Reactions'>;
  });

  return router;
}
