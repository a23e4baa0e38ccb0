interface Waiter<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

/**
 * Shares one read among the callers who want the same thing at the same time, without ever
 * answering a caller with a read that started before it asked: callers queue while a read runs,
 * and the next read serves all of them. So a caller still sees every write that finished before it
 * asked (the ack of a send follows its cache write), and a hot key costs one read per round trip
 * however many callers it has.
 */
export class CoalescedRead<T> {
  private readonly queues = new Map<string, Waiter<T>[]>();

  run(key: string, read: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ resolve, reject });
        return;
      }
      this.queues.set(key, [{ resolve, reject }]);
      void this.drain(key, read);
    });
  }

  private async drain(key: string, read: () => Promise<T>): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.length) {
      const waiting = queue.splice(0);
      try {
        const value = await read();
        for (const w of waiting) w.resolve(value);
      } catch (err) {
        for (const w of waiting) w.reject(err);
      }
    }
    this.queues.delete(key);
  }
}
