import type { ExtendedError } from 'socket.io';
import type { TokenService } from '../auth';
import { AppError, toErrorBody } from '../errors';
import type { SessionSockets } from './limits';
import type { RealtimeSocket } from './server-events';

/** A refusal the client sees as `connect_error` with `err.data = { code, message }`. */
function refusal(err: unknown): ExtendedError {
  const { error } = toErrorBody(err);
  return Object.assign(new Error(error.message), { data: error });
}

/**
 * Handshake authentication: `auth: { token }` must be a valid user or session token, whose claims
 * then travel with the socket (`socket.data.claims`). Connections are refused while the pod drains,
 * and beyond the token's connection limit (counted here, released on disconnect).
 */
export function connectionAuth(tokens: TokenService, draining: () => boolean, sockets: SessionSockets) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      if (draining()) throw AppError.unavailable('the server is shutting down; connect again');
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof token !== 'string' || token === '')
        throw AppError.unauthorized('a user or session token is required: connect with auth: { token }');
      const claims = await tokens.verify(token);
      // One bucket per token holder: a user's sockets, or one participant's.
      const holder = `${claims.typ}:${claims.sub}`;
      sockets.admit(holder);
      // Released once, whichever comes first: a socket closed during the handshake never disconnects.
      let held = true;
      const release = () => {
        if (held) sockets.closed(holder);
        held = false;
      };
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      socket.data.claims = claims;
      socket.data.chats = {};
      next();
    } catch (err) {
      next(refusal(err));
    }
  };
}
