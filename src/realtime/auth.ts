import type { ExtendedError } from 'socket.io';
import type { Claims, TokenService } from '../auth';
import { AppError, toErrorBody } from '../errors';
import type { SessionSockets } from './limits';
import type { RealtimeSocket } from './server-events';

/** A refusal the client sees as `connect_error` with `err.data = { code, message }`. */
function refusal(err: unknown): ExtendedError {
  const { error } = toErrorBody(err);
  return Object.assign(new Error(error.message), { data: error });
}

/** Who a connection counts against (SessionSockets): a user's sockets, or one participant's. */
export function holderOf(claims: Claims): string {
  return `${claims.typ}:${claims.sub}`;
}

/**
 * Handshake authentication: `auth: { token }` must be a valid user or session token, whose claims
 * then travel with the socket (`socket.data.claims`). Connections are refused while the pod drains,
 * and beyond the token's connection limit (counted here, released on disconnect by the gateway).
 */
export function connectionAuth(tokens: TokenService, draining: () => boolean, sockets: SessionSockets) {
  return async (socket: RealtimeSocket, next: (err?: ExtendedError) => void) => {
    try {
      if (draining()) throw AppError.unavailable('the server is shutting down; connect again');
      const auth = socket.handshake.auth as Record<string, unknown> | undefined;
      const token: unknown = auth?.token;
      if (typeof token !== 'string' || token === '')
        throw AppError.unauthorized('a user or session token is required: connect with auth: { token }');
      const claims = await tokens.verify(token);
      // A connection that closed while its token was checked never connects, so never disconnects:
      // it is not counted. One that is open now connects (socket.io checks the same readyState on
      // the next tick, and nothing can close it before that, as long as this is the last
      // middleware), and its disconnect releases it (the gateway calls sockets.closed).
      if (socket.conn.readyState !== 'open') throw AppError.unavailable('the connection closed during the handshake');
      sockets.admit(holderOf(claims));
      // The claims are what the connection goes on with: the token itself (a few hundred bytes per
      // connection, and a credential) is not kept in the handshake socket.io holds.
      delete auth!.token;
      socket.data.claims = claims;
      socket.data.chats = {};
      next();
    } catch (err) {
      next(refusal(err));
    }
  };
}
