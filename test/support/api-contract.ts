// Checks what the suite receives against the server's own descriptions: every REST response the
// ApiClient gets against /api/openapi.json, every socket payload the realtime helpers' sockets get
// against /api/asyncapi.json. A server that serves no description (another build) is not checked.
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

type Json = Record<string, any>;

/** Refs of a document's components, made to point at the document added to ajv as `doc`. */
const rebase = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));

function validator(ajv: Ajv, schema: unknown): (value: unknown) => string | null {
  const validate: ValidateFunction = ajv.compile(rebase(schema));
  return (value) => (validate(value) ? null : ajv.errorsText(validate.errors, { dataVar: 'body' }));
}

/** The REST routes of one openapi.json. */
export class RestContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: { pattern: RegExp; path: string; methods: Json }[];
  private readonly compiled = new Map<string, (value: unknown) => string | null>();

  constructor(private readonly doc: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'doc', components: doc.components });
    // Literal segments before parameters: /api/me/conversations is not /api/me/{…}.
    this.routes = Object.entries(doc.paths as Json).map(([path, methods]) => ({
      pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`, 'i'),
      path,
      methods,
    }));
  }

  /** Why a response does not match its description, or null when it does. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
    const path = url.split('?')[0];
    const route = this.routes.find((r) => r.pattern.test(path));
    const op = route?.methods[method.toLowerCase()];
    const name = `${method} ${route?.path ?? path} ${status}`;
    if (!op) {
      // Refusals of what no route serves (404, 405, 501) still carry the error object.
      if (status < 400) return `${name}: the route is not described in openapi.json`;
      return this.schemaCheck(name, 'error', { $ref: '#/components/schemas/Error' }, contentType, body);
    }
    const response = op.responses[status] ?? op.responses.default;
    if (!response) return `${name}: the status is not described in openapi.json`;
    const schema = response.content?.['application/json']?.schema;
    if (!response.content)
      return body === undefined ? null : `${name}: described without a body, answered ${JSON.stringify(body).slice(0, 200)}`;
    if (!schema) return null; // text, html: not JSON
    return this.schemaCheck(name, `${method} ${route!.path} ${status in op.responses ? status : 'default'}`, schema, contentType, body);
  }

  private schemaCheck(name: string, key: string, schema: unknown, contentType: string | null, body: unknown): string | null {
    if (!contentType?.includes('json')) return `${name}: described as JSON, answered ${contentType}`;
    let validate = this.compiled.get(key);
    if (!validate) this.compiled.set(key, (validate = validator(this.ajv, schema)));
    const why = validate(body);
    return why && `${name}: the response does not match openapi.json: ${why}`;
  }
}

/** The socket.io events of one asyncapi.json: payloads by event name, acks by the event they answer. */
export class SocketContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly events = new Map<string, (value: unknown) => string | null>();
  private readonly acks = new Map<string, (value: unknown) => string | null>();

  constructor(doc: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'doc', components: doc.components });
    const message = (ref: string) => doc.components.messages[ref.split('/').pop()!];
    for (const op of Object.values(doc.operations as Json)) {
      const m = doc.channels.socket.messages[op.messages[0].$ref.split('/').pop()];
      const msg = message(m.$ref);
      // What the server sends; what it receives is checked by the server itself.
      if (op.action === 'send') this.events.set(msg.name, validator(this.ajv, msg.payload));
      if (op.reply) {
        const ack = message(doc.channels.socket.messages[op.reply.messages[0].$ref.split('/').pop()].$ref);
        this.acks.set(msg.name, validator(this.ajv, ack.payload));
      }
    }
  }

  checkEvent(event: string, payload: unknown): string | null {
    const validate = this.events.get(event);
    if (!validate) return `server event ${event}: not described in asyncapi.json`;
    const why = validate(payload);
    return why && `server event ${event}: the payload does not match asyncapi.json: ${why}`;
  }

  checkAck(event: string, payload: unknown): string | null {
    const validate = this.acks.get(event);
    if (!validate) return null; // an event the client made up (the tests' malformed ones): no ack to describe
    const why = validate(payload);
    return why && `the ack of ${event}: does not match asyncapi.json: ${why}`;
  }
}

const restContracts = new Map<string, Promise<RestContract | null>>();
const socketContracts = new Map<string, Promise<SocketContract | null>>();

async function fetchDoc(url: string): Promise<Json | null> {
  try {
    const res = await fetch(url);
    return res.status === 200 ? ((await res.json()) as Json) : null;
  } catch {
    return null;
  }
}

/** A description a server serves, fetched once per URL (again later if it served none yet). */
function described<C>(cache: Map<string, Promise<C | null>>, url: string, make: (doc: Json) => C): Promise<C | null> {
  let c = cache.get(url);
  if (!c) {
    c = fetchDoc(url).then((doc) => (doc ? make(doc) : null));
    cache.set(url, c);
    void c.then((found) => found ?? cache.delete(url));
  }
  return c;
}

/** The REST description a server serves. */
export const restContract = (base: string) => described(restContracts, `${base}/api/openapi.json`, (doc) => new RestContract(doc));

/** The socket.io description a server serves. */
export const socketContract = (base: string) => described(socketContracts, `${base}/api/asyncapi.json`, (doc) => new SocketContract(doc));

/** Socket payloads that did not match: the global afterEach fails the test that received them. */
export const contractViolations: string[] = [];

interface SocketInternals {
  packet(packet: { type: number; id?: number; data?: unknown[] }): void;
  onack(packet: { id?: number; data: unknown[] }): void;
  onAny(listener: (event: string, ...args: unknown[]) => void): void;
}

/** Checks every event and ack a socket.io client socket receives against `contract`. */
export function watchSocket(socket: unknown, contract: SocketContract): void {
  const s = socket as SocketInternals;
  const sent = new Map<number, string>();
  const packet = s.packet.bind(s);
  s.packet = (p) => {
    if (p.id !== undefined && typeof p.data?.[0] === 'string') sent.set(p.id, p.data[0]);
    packet(p);
  };
  const onack = s.onack.bind(s);
  s.onack = (p) => {
    const event = p.id === undefined ? undefined : sent.get(p.id);
    if (event !== undefined) {
      sent.delete(p.id!);
      const why = contract.checkAck(event, p.data[0]);
      if (why) contractViolations.push(why);
    }
    onack(p);
  };
  s.onAny((event, payload) => {
    const why = contract.checkEvent(event, payload);
    if (why) contractViolations.push(why);
  });
}
