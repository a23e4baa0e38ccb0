import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatWithMembers, connect, joinOk, send, startPods, type ChatSocket, type Pods } from '../support/sockets';

/** One span as @opentelemetry/exporter-trace-otlp-http sends it in OTLP/JSON. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  links?: { traceId: string; spanId: string }[];
}

const attr = (span: OtlpSpan, key: string): unknown => {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue);
};

/** A loopback OTLP/HTTP receiver: keeps every span posted to /v1/traces. */
class Receiver {
  readonly spans: OtlpSpan[] = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const r of body.resourceSpans) for (const s of r.scopeSpans) this.spans.push(...s.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Waits (bounded) until `find` returns something from the spans received so far. */
  async waitFor<T>(what: string, find: (spans: OtlpSpan[]) => T | undefined): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = find(this.spans);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${what} among ${this.spans.length} spans: ${this.spans.map((s) => s.name).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('socket event traces over OTLP', function () {
  this.timeout(90_000);
  const receiver = new Receiver();
  let pods: Pods;
  let code: string;
  const sockets: ChatSocket[] = [];

  before(async () => {
    const endpoint = await receiver.start();
    pods = await startPods(1, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    const chat = await chatWithMembers(pods.pods[0].url, 6);
    code = chat.code;
    for (const token of chat.tokens) {
      const socket = await connect(pods.pods[0].url, token);
      await joinOk(socket, { code });
      sockets.push(socket);
    }
  });

  after(async () => {
    for (const s of sockets) s.close();
    await pods?.stop();
    await receiver.stop();
  });

  it('gives every send a socket.send span with the messaging attributes, linked to the commit that did its database and cache work', async () => {
    // Sent at once, so that sends share group commits.
    const acks = await Promise.all(sockets.map((s, i) => send(s, code, `traced ${i}`)));
    for (const ack of acks) {
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      const { message } = ack;
      const sendSpan = await receiver.waitFor(`socket.send of ${message.id}`, (spans) =>
        spans.find((s) => s.name === 'socket.send' && attr(s, 'messaging.message.id') === message.id),
      );
      expect(sendSpan.kind, 'a consumer span').to.equal(5);
      expect(attr(sendSpan, 'messaging.system')).to.equal('socket.io');
      expect(attr(sendSpan, 'messaging.operation.type')).to.equal('process');
      expect(attr(sendSpan, 'messaging.operation.name')).to.equal('message:send');
      expect(attr(sendSpan, 'messaging.destination.name')).to.equal(code);
      expect(attr(sendSpan, 'chatpop.message.seq')).to.equal(message.seq);

      expect(sendSpan.links ?? [], 'the send links to its commit').to.have.length(1);
      const link = sendSpan.links![0];
      const commit = await receiver.waitFor('the linked commit span', (spans) => spans.find((s) => s.spanId === link.spanId));
      expect(commit.name).to.equal('chat.commit');
      expect(commit.traceId).to.equal(link.traceId);
      expect(
        (commit.links ?? []).map((l) => l.spanId),
        'the commit links back to the send',
      ).to.include(sendSpan.spanId);

      const inCommit = (spans: OtlpSpan[]) => spans.filter((s) => s.traceId === commit.traceId && s.spanId !== commit.spanId);
      await receiver.waitFor('the commit trace database and cache spans', (spans) => {
        const names = inCommit(spans).map((s) => `${s.name} ${String(attr(s, 'db.system') ?? attr(s, 'db.system.name') ?? '')}`);
        const child = (name: string) => inCommit(spans).some((s) => s.name === name && s.parentSpanId === commit.spanId);
        const db = names.some((n) => /postgres/.test(n)) && child('db.write');
        const cache = names.some((n) => /redis/.test(n)) && child('cache.write');
        return db && cache ? true : undefined;
      });
    }
  });

  it('continues the trace of a traceparent the client sends in the event', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const ack = await sockets[0]
      .timeout(10_000)
      .emitWithAck('message:send', { code, content: 'with a parent', traceparent: `00-${traceId}-${parentId}-01` });
    if (!ack.ok) throw new Error(JSON.stringify(ack.error));
    const span = await receiver.waitFor('the socket.send span', (spans) =>
      spans.find((s) => s.name === 'socket.send' && attr(s, 'messaging.message.id') === ack.message.id),
    );
    expect(span.traceId).to.equal(traceId);
    expect(span.parentSpanId).to.equal(parentId);
  });

  it('gives a join the messaging attributes and continues its traceparent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    await joinOk(sockets[1], { code, traceparent: `00-${traceId}-${parentId}-01` });
    const span = await receiver.waitFor('the socket.join span', (spans) =>
      spans.find((s) => s.name === 'socket.join' && s.traceId === traceId),
    );
    expect(span.parentSpanId).to.equal(parentId);
    expect(attr(span, 'messaging.system')).to.equal('socket.io');
    expect(attr(span, 'messaging.destination.name')).to.equal(code);
    expect(attr(span, 'messaging.operation.name')).to.equal('chat:join');
  });
});
