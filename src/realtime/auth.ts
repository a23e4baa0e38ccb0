import type { ExtendedError } from 'socket.io';
import type { TokenService } from '../auth';
import { AppError, toErrorBody } from '../errors';
import type { RealtimeSocket } from './server-events';

/** A refusal the client sees as `connect_error` with `err.data = { code, message }`. */
function refusal(err: unknown): ExtendedError {
  const { error } = toErrorBody(err);
  return Object.assign(new Error(error.message), { data: error });
}

/**
 * Handshake authentication: `auth: { token }` must be a valid user or session token, whose claims
 * then travel with the socket (`socket.data.claims`). Connections are refused while the pod drains.
 */
export function connectionAuth(tokens: TokenService, draining: () => boolean) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      if (draining()) throw AppError.unavailable('the server is shutting down; connect again');
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof token !== 'string' || token === '') throw AppError.unauthorized('a user or session token is required: connect with auth: { token }');
      socket.data.claims = await tokens.verify(token);
      socket.data.chats = {};
      next();
    } catch (err) {
      next(refusal(err));
    }
  };
}
