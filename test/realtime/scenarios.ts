// Scenarios shared by the suites that run them against different Redis set-ups (as the adapter's
// own test runner does for every Redis flavour).
import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import { chatWithMembers, compact, connect, Inbox, joinOk, range, send, type ChatSocket } from '../support/sockets';

/**
 * `clients` sockets spread round-robin over `bases` (one per pod) join one chat, then all send
 * `perClient` messages at once. Every ack must be ok with the committed message, and every socket
 * must receive every message exactly once, in seq order, as the message the ack described.
 */
export async function concurrentSendersOverPods(bases: string[], clients: number, perClient: number): Promise<void> {
  const { code, tokens } = await chatWithMembers(bases[0], clients);
  const sockets: ChatSocket[] = await Promise.all(tokens.map((token, i) => connect(bases[i % bases.length], token)));
  try {
    const inboxes = sockets.map((s) => new Inbox(s));
    await Promise.all(sockets.map((s) => joinOk(s, { code })));

    const acks = await Promise.all(sockets.flatMap((s, i) => range(1, perClient).map((j) => send(s, code, `client ${i} message ${j}`))));
    const total = clients * perClient;
    const committed = new Map<number, MessageView>();
    for (const ack of acks) {
      expect(ack.ok, JSON.stringify(ack)).to.equal(true);
      if (ack.ok) committed.set(ack.message.seq, ack.message);
    }
    expect([...committed.keys()].sort((a, b) => a - b)).to.deep.equal(range(1, total));

    await Promise.all(inboxes.map((inbox, i) => inbox.until(() => inbox.messages.length >= total, `${total} messages on client ${i}`)));
    for (const [i, inbox] of inboxes.entries()) {
      expect(compact(inbox.seqs), `client ${i} (pod ${i % bases.length})`).to.equal(`1-${total}`);
      for (const m of inbox.messages) expect(m.id).to.equal(committed.get(m.seq)!.id);
    }
  } finally {
    for (const s of sockets) s.close();
  }
}
