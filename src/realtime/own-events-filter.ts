// The Redis adapter (PUBLISH/SUBSCRIBE) hears every server-side event back from Redis, its own
// included, and parses each one before it looks at the sender and drops its own. Announcements
// carry whole messages, so that parse was ~3 % of a busy pod's CPU in the bench.
//
// The subscriber here drops them unparsed. The adapter writes a server-side event as
// `{"uid":"<its uid>","type":6,…` (6: SERVER_SIDE_EMIT), and its uid is public. Every other
// request of this pod (joins of remote sockets, fetches) still reaches the adapter, which needs to
// hear some of them back; and so does anything written another way (another adapter version),
// which the adapter then drops itself, as before.
import type { Redis } from 'ioredis';

const SERVER_SIDE_EMIT = 6;

export interface OwnEventsFilter {
  /** Wraps the adapter factory so the filter learns the uid of each adapter (one per namespace). */
  wrap<A extends { uid: string }>(factory: (nsp: unknown) => A): (nsp: unknown) => A;
  /** This process's server-side events dropped before the adapter parsed them. */
  readonly dropped: number;
}

/** Filters `sub`'s `messageBuffer` events (the adapter's request channel); call before the adapter subscribes. */
export function dropOwnServerSideEvents(sub: Redis): OwnEventsFilter {
  const prefixes: Buffer[] = [];
  let dropped = 0;
  const isOwn = (message: unknown) =>
    Buffer.isBuffer(message) && prefixes.some((p) => message.length > p.length && p.compare(message, 0, p.length) === 0);

  const emit = sub.emit.bind(sub);
  sub.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'messageBuffer' && isOwn(args[1])) {
      dropped++;
      return true;
    }
    return emit(event, ...args);
  };

  return {
    // A function, not an arrow: socket.io calls the adapter option with `new`.
    wrap: (factory) =>
      function ownEventsAdapter(nsp: unknown) {
        const adapter = factory(nsp);
        prefixes.push(Buffer.from(`{"uid":${JSON.stringify(adapter.uid)},"type":${SERVER_SIDE_EMIT},`));
        return adapter;
      },
    get dropped() {
      return dropped;
    },
  };
}
