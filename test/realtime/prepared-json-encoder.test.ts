import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import type { SessionClaims } from '../../src/auth/tokens';
import { lendJson, toCached, toMessageView, type MessageView } from '../../src/chat';
import type { SendInput } from '../../src/chat/inputs';
import { newMessage } from '../../src/chat/send-commit';
import { PreparedJsonEncoder } from '../../src/realtime/prepared-json-encoder';

/** A view as the send path makes it: a stored message, mapped for clients. */
function view(seq: number, content = `hello "${seq}" \u2028 ✓`): MessageView {
  const session: SessionClaims = {
    typ: 'session',
    sub: randomUUID(),
    chat_id: randomUUID(),
    code: 'ABCD1234',
    username: 'ann',
    user_id: null,
    host: false,
  };
  const message = newMessage(
    { id: session.chat_id, code: session.code },
    'main',
    { session, input: { content, channel: 'main' } as SendInput },
    seq,
    seq,
    new Date(0),
  );
  message.reactions = { '👍': 2 };
  return toMessageView(message, session.code);
}

/** A fresh view whose cache JSON the send path lent for this turn. */
function cachedView(seq: number): MessageView {
  const v = view(seq);
  lendJson([v], [toCached(v)]);
  return v;
}

const prepared = new PreparedJsonEncoder();
const standard = new Encoder();

describe('PreparedJsonEncoder (message views serialized once, for the cache and every socket)', () => {
  it('encodes exactly as socket.io-parser does, for prepared views and everything around them', () => {
    const packets: Packet[] = [
      { type: PacketType.EVENT, nsp: '/', data: ['message:new', cachedView(1)] },
      { type: PacketType.ACK, nsp: '/', id: 17, data: [{ ok: true, message: cachedView(2) }] },
      { type: PacketType.ACK, nsp: '/', id: 0, data: [{ ok: true, skipped: undefined, fn: () => 1, n: NaN, message: cachedView(3) }] },
      { type: PacketType.EVENT, nsp: '/admin', id: 3, data: ['x', cachedView(4), 'tail', null, undefined, 1.5, true] },
      { type: PacketType.EVENT, nsp: '/', data: ['message:new', view(5)] }, // not prepared: the standard path
      { type: PacketType.ACK, nsp: '/', id: 1, data: [{ ok: false, error: { code: 'not_found', message: 'chat not found' } }] },
      { type: PacketType.EVENT, nsp: '/', data: ['nested', { list: [cachedView(6)] }] }, // deeper than the fast path looks
      { type: PacketType.EVENT, nsp: '/', data: ['date', { at: new Date(0), message: cachedView(7) }] },
      { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
    ];
    for (const p of packets) expect(prepared.encode(p), JSON.stringify(p.data)).to.deep.equal(standard.encode(p));
  });

  it('sends the JSON text the view got for the cache instead of serializing it again', () => {
    const v = cachedView(8);
    (v as { content: string }).content = 'changed after caching (views never are; this shows which text is sent)';
    const [wire] = prepared.encode({ type: PacketType.EVENT, nsp: '/', data: ['message:new', v] }) as string[];
    expect(JSON.parse(wire!.slice(1))[1].content).to.equal(view(8).content);
    const [ack] = prepared.encode({ type: PacketType.ACK, nsp: '/', id: 5, data: [{ ok: true, message: v }] }) as string[];
    expect(JSON.parse(ack!.slice(2))[0].message.content).to.equal(view(8).content);
  });

  it('keeps the text only for the turn: views held longer are serialized again, and hold no copy', async () => {
    const v = cachedView(10);
    (v as { content: string }).content = 'changed';
    await new Promise((r) => setImmediate(r));
    const [wire] = prepared.encode({ type: PacketType.EVENT, nsp: '/', data: ['message:new', v] }) as string[];
    expect(JSON.parse(wire!.slice(1))[1].content).to.equal('changed');
  });

  it('leaves binary packets to socket.io-parser', () => {
    const p: Packet = { type: PacketType.EVENT, nsp: '/', data: ['blob', { bytes: Buffer.from([1, 2, 3]), message: cachedView(9) }] };
    const out = prepared.encode(p);
    expect(out).to.deep.equal(standard.encode(p));
    expect(out[0]).to.match(/^51-/); // a BINARY_EVENT with one attachment
  });
});
