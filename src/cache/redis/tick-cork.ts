import { Cluster } from 'ioredis';
import type { RedisClient } from './connection';

/**
 * Makes the commands a connection is given in one tick leave in one socket write. ioredis writes
 * each command with its own syscall, so a group commit that appended to eight chats' windows made
 * eight writes, and Redis eight reads. `hold()` corks the socket on the tick's first command and a
 * nextTick uncorks it: that runs once the current code and every microtask it queued have run, so
 * the appends of one commit, issued from one microtask chain, go out together. Order and replies
 * are unchanged. A cluster client spreads commands over several sockets and is left as it is.
 */
export class TickCork {
  private held = false;

  constructor(private readonly client: RedisClient) {}

  hold(): void {
    if (this.held || this.client instanceof Cluster) return;
    const stream = this.client.stream;
    if (typeof stream?.cork !== 'function') return;
    this.held = true;
    stream.cork();
    process.nextTick(() => {
      this.held = false;
      stream.uncork();
    });
  }
}
