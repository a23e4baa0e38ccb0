import type { MessageView } from './types';

/**
 * A chat's messages held by the client: one contiguous run of seqs, `first`..`last`, each once, in
 * order. Live messages extend it at the end, scrollback at the start; a message ahead of a gap waits
 * in `ahead` until the gap is filled.
 */
export class MessageLog {
  private readonly items: MessageView[] = [];
  private readonly ahead = new Map<number, MessageView>();
  /** newer versions of messages not held yet (an edit may overtake its message:new) */
  private readonly early = new Map<string, MessageView>();
  /** the seq the run ends at: everything in first..last is held */
  last: number;

  constructor(last = 0) {
    this.last = last;
  }

  get messages(): readonly MessageView[] {
    return this.items;
  }

  /** The lowest seq held; last + 1 while nothing is. */
  get first(): number {
    return this.items.length ? this.items[0].seq : this.last + 1;
  }

  /** Highest seq waiting behind a gap, or 0. */
  get aheadMax(): number {
    let max = 0;
    for (const seq of this.ahead.keys()) max = Math.max(max, seq);
    return max;
  }

  byId(id: string): MessageView | undefined {
    return this.items.find((m) => m.id === id) ?? [...this.ahead.values()].find((m) => m.id === id);
  }

  /**
   * Takes messages newer than the run (any order, duplicates welcome); returns the ones that
   * extended it, in seq order. Ones beyond a gap wait for it to close.
   */
  append(messages: readonly MessageView[]): MessageView[] {
    for (const m of messages) if (m.seq > this.last && !this.ahead.has(m.seq)) this.ahead.set(m.seq, this.newest(m));
    const added: MessageView[] = [];
    for (let next = this.ahead.get(this.last + 1); next; next = this.ahead.get(this.last + 1)) {
      this.ahead.delete(next.seq);
      this.items.push(next);
      added.push(next);
      this.last = next.seq;
    }
    return added;
  }

  /** Takes older messages ending right below the run; returns what was added, in seq order. */
  prepend(messages: readonly MessageView[]): MessageView[] {
    const sorted = [...messages].sort((a, b) => b.seq - a.seq);
    const added: MessageView[] = [];
    for (const m of sorted) {
      if (m.seq !== this.first - 1) continue;
      this.items.unshift(this.newest(m));
      added.unshift(m);
    }
    return added;
  }

  /** A newer version of a message: replaces the held one; returns it when something changed. */
  update(m: MessageView): MessageView | null {
    const i = this.indexOf(m.seq);
    if (i >= 0 && this.items[i].id === m.id) {
      if (m.version < this.items[i].version) return null;
      this.items[i] = m;
      return m;
    }
    const waiting = this.ahead.get(m.seq);
    if (waiting && waiting.id === m.id) {
      if (m.version >= waiting.version) this.ahead.set(m.seq, m);
      return null;
    }
    if (m.seq > this.last) {
      this.early.set(m.id, m);
      if (this.early.size > 500) this.early.delete(this.early.keys().next().value as string);
    }
    return null;
  }

  /** A reaction change at `version`; returns the message as changed, or null. */
  react(id: string, reactions: Record<string, number>, version: number): MessageView | null {
    const held = this.items.find((m) => m.id === id);
    if (!held || version < held.version) return null;
    return this.update({ ...held, reactions, version });
  }

  /** The held message of `seq`, whose index is its distance from `first` (the run is contiguous). */
  private indexOf(seq: number): number {
    const i = seq - this.first;
    return i >= 0 && i < this.items.length ? i : -1;
  }

  private newest(m: MessageView): MessageView {
    const later = this.early.get(m.id);
    if (!later) return m;
    this.early.delete(m.id);
    return later.version >= m.version ? later : m;
  }
}
