/** A fixed-capacity FIFO: pushing into a full buffer overwrites the oldest item. O(1) push, no reallocation. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** Index the next push writes to. */
  private head = 0;
  private length = 0;

  /** @param capacity how many items are kept; @default 1000 */
  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held, at most `capacity`. */
  get size(): number {
    return this.length;
  }

  push(item: T): void {
    this.items[this.head] = item;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.length < this.capacity) this.length++;
  }

  /** Items from oldest to newest. */
  toArray(): T[] {
    const out: T[] = new Array(this.length);
    const start = (this.head - this.length + this.capacity) % this.capacity;
    for (let i = 0; i < this.length; i++) out[i] = this.items[(start + i) % this.capacity] as T;
    return out;
  }

  /** Up to `limit` items from newest to oldest, optionally only those matching `keep`. */
  newest(limit = this.capacity, keep?: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.length && out.length < limit; i++) {
      const item = this.items[(this.head - i + this.capacity) % this.capacity] as T;
      if (!keep || keep(item)) out.push(item);
    }
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.length = 0;
  }
}
