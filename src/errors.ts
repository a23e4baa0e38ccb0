/** The contract's error codes and their HTTP statuses. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  limit_exceeded: 429,
  rate_limited: 429,
  internal: 500,
  not_implemented: 501,
  unavailable: 503,
  admin_disabled: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every error a client may see. HTTP and socket.io both render it as `{ error: { code, message } }`. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.details = options?.details;
  }
  readonly retryAfterSeconds?: number;
  readonly details?: unknown;

  static invalidInput(message: string, details?: unknown) {
    return new AppError('invalid_input', message, { details });
  }
  static unauthorized(message = 'a valid token is required') {
    return new AppError('unauthorized', message);
  }
  static forbidden(message: string) {
    return new AppError('forbidden', message);
  }
  static notFound(what: string) {
    return new AppError('not_found', `${what} not found`);
  }
  static conflict(message: string) {
    return new AppError('conflict', message);
  }
  static payloadTooLarge(message: string) {
    return new AppError('payload_too_large', message);
  }
  /** A fixed per-client limit is reached (e.g. chats per connection): waiting does not help, leaving something does. */
  static limitExceeded(message: string) {
    return new AppError('limit_exceeded', message);
  }
  static rateLimited(retryAfterSeconds: number) {
    return new AppError('rate_limited', `too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  static unavailable(message: string, cause?: unknown) {
    return new AppError('unavailable', message, { cause });
  }
  /** Refused for lack of capacity (`unavailable`, 503), with the seconds after which to try again. */
  static busy(message: string, retryAfterSeconds: number) {
    return new AppError('unavailable', message, { retryAfterSeconds });
  }
  static adminDisabled() {
    return new AppError('admin_disabled', 'admin routes are disabled: set ADMIN_TOKEN to enable them');
  }

  /** `retry_after` (seconds) accompanies every refusal that says when to try again. */
  toJSON(): { code: ErrorCode; message: string; retry_after?: number } {
    if (this.retryAfterSeconds === undefined) return { code: this.code, message: this.message };
    return { code: this.code, message: this.message, retry_after: this.retryAfterSeconds };
  }
}

/** The contract's error body for any thrown value; unknown errors never leak their text. */
export function toErrorBody(err: unknown): { error: { code: ErrorCode; message: string; retry_after?: number } } {
  if (err instanceof AppError) return { error: err.toJSON() };
  return { error: { code: 'internal', message: 'internal error' } };
}
