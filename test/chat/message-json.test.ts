import { expect } from 'chai';
import { pageEntries } from '../../src/chat/message-json';
import { toMessageView } from '../../src/chat/message-view';
import { rawPg } from '../../src/db';
import { PgMessageReads } from '../../src/db/repositories/pg-message-reads';
import { chatWithHost, useTestApp } from '../support';

// Deep history pages write each message's JSON straight from PostgreSQL's text; the cache and the
// sockets have it from JSON.stringify(toMessageView(…)). A client must not tell them apart.
describe('message JSON from PostgreSQL text: the same text as the message view', function () {
  this.timeout(30_000);

  const app = useTestApp('postgres+redis');

  it('for deleted, edited, pinned, reacted, replying and registered messages, odd characters and every fraction of a second', async () => {
    const t = app();
    const chat = await chatWithHost(t.base);
    const contents = [
      'plain',
      'quote " backslash \\ slash / tab \t newline \n',
      'control \u0001\u001f del \u007f',
      'emoji 👍🏽 é 中文 \u2028',
    ];
    for (const content of [...contents, 'to delete', 'to pin', 'pinned before', 'replying']) {
      expect((await chat.host.post(`/api/chats/${chat.code}/messages`, { content })).status).to.equal(201);
    }
    const pg = rawPg(t.app.orm)!;
    const ref = await t.app.chat.store.chatRef(chat.code);
    const [first] = await pg.query<{ id: string }>({ text: 'select id from messages where chat_id = $1 and seq = 1', values: [ref.id] });
    const set = (seq: number, sets: string) =>
      pg.query({ text: `update messages set ${sets} where chat_id = $1 and channel = 'main' and seq = $2`, values: [ref.id, seq] });
    await set(1, `created_at = '2026-01-02 03:04:05+00', reactions = '{"👍": 3, "a": 1, "10": 2, "ab": 12}'`);
    await set(2, `created_at = '2026-01-02 03:04:05.5+00', edited_at = '2026-01-02 03:04:06.123456+00', username = 'name "with" \\ odd'`);
    await set(3, `created_at = '2026-01-02 03:04:05.05+00', user_id = '${first!.id}', pin_amount_cents = 0`);
    await set(4, `created_at = '2026-01-02 03:04:05.999999+00'`);
    await set(5, `deleted = true, edited_at = '2026-01-02 03:04:07+00'`);
    await set(6, `pinned_until = '2030-01-01 00:00:00.0009+00', pin_amount_cents = 150, reactions = '{"🎉": 1}'`);
    await set(7, `pinned_until = '2020-01-01 00:00:00.001+00', pin_amount_cents = 99`);
    await set(8, `reply_to = '${first!.id}', message_type = 'host'`);

    const reads = new PgMessageReads(pg);
    const now = Date.parse('2026-12-07T00:00:00.000Z');
    const fields = await reads.range(ref.id, 'main', 1, 8);
    const expected = fields.map((m) => ({ seq: m.seq, json: JSON.stringify(toMessageView(m, chat.code, now)) }));
    expect(expected).to.have.length(8);
    expect(pageEntries({ text: (await reads.rangeText(ref.id, 'main', 1, 8)).rows }, chat.code, 'main', now)).to.deep.equal(expected);
    expect(pageEntries({ fields }, chat.code, 'main', now)).to.deep.equal(expected);
    // a pin ends at its instant: pinned one millisecond before, not at it
    const pinEnd = Date.parse('2030-01-01T00:00:00.000Z');
    for (const at of [pinEnd - 1, pinEnd]) {
      const [fromText] = pageEntries({ text: (await reads.rangeText(ref.id, 'main', 6, 6)).rows }, chat.code, 'main', at);
      expect(fromText!.json).to.equal(JSON.stringify(toMessageView(fields[5]!, chat.code, at)));
      expect(JSON.parse(fromText!.json).is_pinned).to.equal(at < pinEnd);
    }
  });
});
