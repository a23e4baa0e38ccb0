import { ApiError } from './rest';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it answers or fails for good; transient failures (server restarting, unreachable,
 * rate-limited) are retried with backoff for up to `forMs`. For idempotent calls only.
 */
export async function retrying<T>(fn: () => Promise<T>, forMs = 30_000): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 3000)) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ApiError) || !err.transient || Date.now() + delay > deadline) throw err;
      await sleep(err.retryAfter ? err.retryAfter * 1000 : delay);
    }
  }
}
