import type { AckError, MessageView } from './types';

/** A send the server refused for good (invalid content, forbidden, …); transient refusals are retried. */
export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** Refusals that say "nothing was stored, try again": the send is repeated with its client_id. */
const TRANSIENT = new Set(['unavailable', 'rate_limited', 'internal', 'timeout']);

export const isTransient = (error: AckError) => TRANSIENT.has(error.code);

/** A send not acked yet. */
export interface PendingSend {
  client_id: string;
  content: string;
  reply_to: string | null;
  /** the connection (client epoch) it was last sent on; -1 while it waits to be sent */
  sentOn: number;
  /** waiting out a retry delay */
  holding: boolean;
  resolve(message: MessageView): void;
  reject(err: Error): void;
}
