import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { inputs } from '../../chat';
import { AppError } from '../../errors';
import { dashboardHeaders, dashboardPage, type AppMetrics, type MonitoringService } from '../../monitoring';
import type { Logger } from '../../logger';
import { requireAdmin, type AdminState } from '../auth-middleware';

const { parseInput } = inputs;

/** `GET /admin/monitoring/api` query. */
export const viewQuery = z.object({
  // Partial codes are fine: the dashboard asks while staff type; an empty filter means all chats.
  chat: z
    .string()
    .trim()
    .max(64)
    .regex(/^[A-Za-z0-9_-]*$/, 'must be a chat code')
    .optional()
    .transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const settingsInput = z.strictObject({ enable_monitoring: z.boolean() });

const actionParams = z.object({ code: inputs.chatCode });

/** What staff may do to a chat from the dashboard. */
export interface AdminActions {
  /** Rebuilds the chat's windows and pins from the database (what `inspect --repair` does); not_found for an unknown chat. */
  repairChat(code: string): Promise<unknown>;
  /** Forgets everything cached for the chat (what `inspect --clear` does); not_found for an unknown chat. */
  clearChatCache(code: string): Promise<unknown>;
}

/** Settings stored in Redis or the database: their failure is the store's, not the caller's. */
async function fromStore<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw AppError.unavailable(`the settings store does not answer (${what})`, err);
  }
}

/**
 * `GET /metrics` (open, for Prometheus scrapes inside the cluster), and the staff routes: the
 * dashboard page, its data (`/admin/monitoring/api`) and the shared switch (`/admin/settings`).
 */
export function monitoringRoutes(deps: {
  monitoring: MonitoringService;
  metrics: AppMetrics;
  adminToken?: string;
  /** The chat actions; without them the action routes answer not_implemented. */
  actions?: AdminActions;
  /** Where staff actions are audited. */
  log?: Logger;
}): Router {
  const router = new Router();
  const admin = requireAdmin(deps.adminToken);
  const { monitoring } = deps;
  /** One audit line per staff action: who (the token's fingerprint), when, what, and how it ended. */
  const audit = (ctx: Context, action: string, details: Record<string, unknown>, outcome: 'done' | 'failed') =>
    deps.log?.info(
      { audit: { who: (ctx.state as AdminState).adminFingerprint, at: new Date().toISOString(), action, ...details, outcome } },
      `admin action: ${action} ${outcome}`,
    );
  const audited = async <T>(ctx: Context, action: string, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> => {
    try {
      const result = await fn();
      audit(ctx, action, details, 'done');
      return result;
    } catch (err) {
      audit(ctx, action, { ...details, error: err instanceof AppError ? err.code : 'internal' }, 'failed');
      throw err;
    }
  };

  router.get('/metrics', async (ctx) => {
    const text = await deps.metrics.text();
    ctx.type = deps.metrics.contentType;
    ctx.body = text;
  });

  const sendPage = (ctx: Context, status: number) => {
    ctx.status = status;
    ctx.set(dashboardHeaders());
    ctx.type = 'html';
    ctx.body = dashboardPage();
  };

  router.get('/admin/monitoring', async (ctx) => {
    try {
      await admin(ctx, async () => undefined);
    } catch (err) {
      // A browser opening the page sends no bearer token: it gets the page (login form, no data)
      // with the refusal's status; API clients get the contract's error object.
      if (err instanceof AppError && ctx.accepts('json', 'html') === 'html') return sendPage(ctx, err.status);
      throw err;
    }
    sendPage(ctx, 200);
  });

  router.get('/admin/monitoring/api', admin, async (ctx) => {
    const { chat, limit } = parseInput(viewQuery, ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await monitoring.view({ chat, limit });
  });

  router.get('/admin/settings', admin, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await fromStore('read', () => monitoring.settings());
  });

  router.put('/admin/settings', admin, async (ctx) => {
    const patch = parseInput(settingsInput, ctx.request.body);
    ctx.body = await audited(ctx, 'settings', patch, () => fromStore('write', () => monitoring.updateSettings(patch)));
  });

  for (const [path, action] of [
    ['repair', 'repair_chat'],
    ['clear-cache', 'clear_chat_cache'],
  ] as const) {
    router.post(`/admin/chats/:code/${path}`, admin, async (ctx) => {
      const { code } = parseInput(actionParams, { code: ctx.params.code.toUpperCase() });
      if (!deps.actions) throw new AppError('not_implemented', 'chat actions are not wired on this server');
      const actions = deps.actions;
      const result = await audited(ctx, action, { chat_code: code }, () =>
        action === 'repair_chat' ? actions.repairChat(code) : actions.clearChatCache(code),
      );
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { ok: true, action, chat_code: code, at: new Date().toISOString(), result };
    });
  }

  return router;
}
