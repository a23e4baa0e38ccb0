import { Decoder, PacketType } from 'socket.io-parser';

/**
 * The event an oversized packet becomes: its header read (namespace, ack id), its payload never
 * parsed. The NUL keeps it apart from any event a client means to send.
 */
export const OVERSIZED_EVENT = '\0payload_too_large';

/** An event packet's header: `2`, an optional namespace (`/name,`), its ack id. */
const EVENT_WITH_ACK = /^2(?:(\/[^,]*),)?(\d+)/;

/**
 * socket.io's parser with a size limit it can answer: the transport reads packets up to a higher
 * ceiling, and one over `maxBytes` (counted as engine.io frames it, one type byte more) is turned
 * into OVERSIZED_EVENT when it is an event waiting for an ack, so the client hears
 * `payload_too_large`. Any other packet over the limit cannot be answered: it throws, which closes
 * the connection, as a packet over the ceiling does at the transport.
 */
export function sizeLimitedDecoder(maxBytes: number): typeof Decoder {
  return class SizeLimitedDecoder extends Decoder {
    override add(obj: unknown): void {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: most packets need no count.
      const bytes = typeof obj !== 'string' ? byteLength(obj) : obj.length * 3 < maxBytes ? 0 : Buffer.byteLength(obj) + 1;
      if (bytes <= maxBytes) return super.add(obj);
      const header = typeof obj === 'string' ? EVENT_WITH_ACK.exec(obj.slice(0, 64)) : null;
      if (!header) throw new Error(`a packet of ${bytes} bytes, over the ${maxBytes}-byte limit`);
      this.emitReserved('decoded', { type: PacketType.EVENT, nsp: header[1] ?? '/', id: Number(header[2]), data: [OVERSIZED_EVENT] });
    }
  };
}

function byteLength(obj: unknown): number {
  if (obj instanceof ArrayBuffer || ArrayBuffer.isView(obj)) return obj.byteLength;
  return 0;
}
