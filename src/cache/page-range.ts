/** Which part of a channel's history a reader wants. */
export type PageRequest =
  { mode: 'newest'; limit: number } | { mode: 'before'; before: number; limit: number } | { mode: 'after'; after: number; limit: number };

/**
 * The inclusive seq range a page covers, given the channel's last seq. Seqs are contiguous from 1,
 * so the range alone says which messages an answer must hold. Mirrored in lua/read-window-2.lua.
 */
export function pageRange(lastSeq: number, req: PageRequest): { lo: number; hi: number } {
  switch (req.mode) {
    case 'newest':
      return { lo: Math.max(1, lastSeq - req.limit + 1), hi: lastSeq };
    case 'before': {
      const hi = Math.min(req.before - 1, lastSeq);
      return { lo: Math.max(1, hi - req.limit + 1), hi };
    }
    case 'after':
      return { lo: Math.max(1, req.after + 1), hi: Math.min(lastSeq, req.after + req.limit) };
  }
}
