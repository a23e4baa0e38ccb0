import argon2 from 'argon2';
import { AppError } from '../errors';

/** How many password hashes may run and wait at once (Config.passwordHashing). */
export interface HashingLimits {
  /** hashes computed at once @default 2 */
  concurrency: number;
  /** hashes waiting for a turn; beyond it the caller is refused @default 16 */
  queue: number;
}

export const DEFAULT_HASHING: HashingLimits = { concurrency: 2, queue: 16 };

/**
 * Runs at most `concurrency` tasks at once and lets `queue` more wait; any more is refused with
 * `unavailable` and a retry time, so a flood of logins cannot hold every thread and the memory
 * argon2 needs while real requests wait behind it.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: HashingLimits) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      if (this.waiting.length >= this.limits.queue) throw AppError.busy('the server is busy checking passwords; retry shortly', 1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The turn passes straight to the next waiter; `running` counts it still.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** argon2id with the library's defaults (memory-hard; about 20–40 ms per hash here), through one gate. */
export class PasswordHasher {
  private readonly gate: WorkGate;
  private dummy: Promise<string> | undefined;

  constructor(limits: HashingLimits = DEFAULT_HASHING) {
    this.gate = new WorkGate(limits);
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => argon2.hash(password, { type: argon2.argon2id }));
  }

  /**
   * Checks a password; `hash` undefined (no such user) still costs one verification against a real
   * hash, through the same gate, so neither timing nor refusals reveal which usernames exist.
   */
  verify(hash: string | undefined, password: string): Promise<boolean> {
    return this.gate.run(async () => {
      // The dummy is made once, inside a turn like every other hash.
      const against = hash ?? (await (this.dummy ??= argon2.hash('not-a-real-password-' + Math.random(), { type: argon2.argon2id })));
      try {
        return (await argon2.verify(against, password)) && hash !== undefined;
      } catch {
        return false;
      }
    });
  }
}
