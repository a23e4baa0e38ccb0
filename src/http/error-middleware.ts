import type { Context, Next } from 'koa';
import { databaseUnavailable } from '../db';
import { AppError, toErrorBody } from '../errors';
import type { Logger } from '../logger';

/** A client-given name, quoted back only when it is short and plain, followed by a space. */
const shown = (name: unknown): string => (typeof name === 'string' && /^[\w.-]{1,40}$/.test(name) ? `${name} ` : '');

/** Maps errors thrown by koa's own middleware (body parser, etc.) to the contract's codes. */
function fromHttpError(err: { status?: number; expose?: boolean; message?: string; type?: string; code?: unknown }): AppError | null {
  // zlib's own errors (Z_DATA_ERROR, …) for a body sent as gzip or deflate that is not, and
  // brotli's (ERR__ERROR_FORMAT_PADDING_2, …) for one sent as br
  if (typeof err.code === 'string' && /^(Z_|ERR__ERROR_FORMAT_)/.test(err.code))
    return AppError.invalidInput('the request body could not be decompressed');
  if (err.status === 413 || err.type === 'entity.too.large') return AppError.payloadTooLarge('request body too large');
  // inflation's error for a Content-Encoding it has no decoder for (it names it in the message)
  const contentEncoding = err.status === 415 && /^Unsupported Content-Encoding: (.*)$/.exec(err.message ?? '');
  if (contentEncoding)
    return AppError.invalidInput(`Content-Encoding ${shown(contentEncoding[1])}is not supported: send identity, gzip, deflate or br`);
  if (err.status === 415) return AppError.invalidInput('send JSON (Content-Type: application/json)');
  if (err.status === 400 || err.type === 'entity.parse.failed') return AppError.invalidInput('malformed JSON body');
  return null;
}

/** Turns every failure into `{ error: { code, message } }`; unknown errors are logged, never shown. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      // What the router answers without a body: no route, a method the route has not (its Allow
      // header stays), a method no route has.
      if (ctx.body === undefined) {
        if (ctx.status === 404) throw AppError.notFound(`route ${ctx.method} ${ctx.path}`);
        if (ctx.status === 405)
          throw new AppError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}`);
        if (ctx.status === 501) throw new AppError('not_implemented', `the method ${ctx.method} is not implemented`);
      }
    } catch (thrown) {
      const err = thrown instanceof AppError ? thrown : (fromHttpError(thrown as object) ?? databaseUnavailable(thrown) ?? thrown);
      if (!(err instanceof AppError)) log.error({ err, path: ctx.path, method: ctx.method }, 'request failed');
      const status = err instanceof AppError ? err.status : 500;
      ctx.status = status;
      ctx.body = toErrorBody(err);
      if (err instanceof AppError && err.retryAfterSeconds) ctx.set('Retry-After', String(err.retryAfterSeconds));
    }
  };
}
