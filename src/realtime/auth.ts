import type { ExtendedError } from 'socket.io';
import type { TokenService } from '../auth';
import { AppError, toErrorBody } from '../errors';
import type { RealtimeSocket } from './events';
import type { SessionSockets } from './limits';

/** A refusal the client sees as `connect_error` with `err.data = { code, message }`. */
function refusal(err: unknown): ExtendedError {
  const { error } = toErrorBody(err);
  return Object.assign(new Error(error.message), { data: error });
}

/**
 * Handshake authentication: `auth: { token }` must be a valid session token, which then travels
 * with the socket (`socket.data.session`). Connections are refused while the pod drains, and
 * beyond the session's connection limit (counted here, released on disconnect).
 */
export function sessionAuth(tokens: TokenService, draining: () => boolean, sockets: SessionSockets) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      if (draining()) throw AppError.unavailable('the server is shutting down; connect again');
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof token !== 'string' || token === '') throw AppError.unauthorized('a session token is required: connect with auth: { token }');
      const session = await tokens.verifySession(token);
      sockets.admit(session.sub);
      // Released once, whichever comes first: a socket closed during the handshake never disconnects.
      let held = true;
      const release = () => {
        if (held) sockets.closed(session.sub);
        held = false;
      };
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      socket.data.session = session;
      socket.data.chats = [];
      next();
    } catch (err) {
      next(refusal(err));
    }
  };
}
