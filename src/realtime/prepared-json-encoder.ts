import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import { preparedJson } from '../chat';

/** Marks a packet the fast path cannot take (a value it would have to look into). */
const UNSUPPORTED = Symbol('unsupported');

/** JSON of a primitive as JSON.stringify writes it inside an array (`undefined` → null). */
function primitiveJson(value: unknown): string | typeof UNSUPPORTED {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
    default:
      return value === null ? 'null' : UNSUPPORTED;
  }
}

/** A plain object whose values are primitives or prepared views (an ack such as `{ ok, message }`). */
function objectJson(value: object): { json: string; prepared: boolean } | typeof UNSUPPORTED {
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNSUPPORTED;
  let json = '{';
  let prepared = false;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // JSON.stringify skips these
    let text: string | undefined | typeof UNSUPPORTED;
    if (typeof v === 'object' && v !== null) {
      text = preparedJson(v);
      if (text === undefined) return UNSUPPORTED;
      prepared = true;
    } else text = primitiveJson(v);
    if (text === UNSUPPORTED) return UNSUPPORTED;
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return { json: `${json}}`, prepared };
}

/**
 * The JSON of an event's or ack's arguments, with the message views that already have their JSON
 * text (made once for the cache) inserted as they are, or null when nothing in it is prepared or
 * it holds anything else than primitives, prepared views and plain objects of those.
 */
function preparedArgsJson(args: unknown[]): string | null {
  let json = '[';
  let prepared = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let text: string | undefined | typeof UNSUPPORTED;
    if (typeof arg === 'object' && arg !== null) {
      text = preparedJson(arg);
      if (text !== undefined) prepared = true;
      else {
        const o = objectJson(arg);
        if (o === UNSUPPORTED) return null;
        prepared ||= o.prepared;
        text = o.json;
      }
    } else text = primitiveJson(arg);
    if (text === UNSUPPORTED) return null;
    json += (i ? ',' : '') + text;
  }
  return prepared ? `${json}]` : null;
}

/**
 * socket.io's encoder, but a `message:new` and a send's ack reuse the JSON text the message view got
 * for the cache instead of serializing the view again (twice per send: once for the room, once for
 * the ack). The bytes on the wire are exactly JSON.stringify's, so clients use the default parser.
 * Everything else, binary packets included, goes through socket.io-parser as before.
 */
export class PreparedJsonEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    if ((packet.type === PacketType.EVENT || packet.type === PacketType.ACK) && Array.isArray(packet.data)) {
      const data = preparedArgsJson(packet.data);
      if (data !== null) {
        const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
        return [`${packet.type}${nsp}${packet.id ?? ''}${data}`];
      }
    }
    return super.encode(packet);
  }
}
