export type HistorySource = 'cache' | 'db' | 'hybrid';

/** One page of history; `items` are the messages' JSON, in the order the client asked for. */
export interface HistoryPage {
  items: string[];
  source: HistorySource;
  lastSeq: number;
  hasMore: boolean;
  nextBefore: number | null;
  nextAfter: number | null;
}
