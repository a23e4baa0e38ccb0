import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createOutput, printable } from '../../src/ops';
import { createStyle } from '../../src/ops/style';
import { ApiClient, startStack, startTestApp, type Stack, type TestApp } from '../support';
import { jsonOf, runJob } from './job-process';
import { registerUser } from './seed';

// An OSC 52 clipboard write, a C1 CSI (cursor home) and a right-to-left override: stored text that a
// terminal would obey if printed raw.
const OSC52 = '\x1b]52;c;cm0gLXJmIH4=\x07';
const C1 = '\u009bH';
const RLO = '\u202e';
/** Any character a terminal acts on, apart from the line breaks between lines. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('jobs escape control characters in text output; --json stays exact (#22 hygiene)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let t: TestApp;
  let code: string;
  let messageId: string;
  const name = `room ${OSC52}`;
  const content = `copy this ${OSC52} then ${C1} and ${RLO}txet`;

  before(async () => {
    stack = await startStack('postgres+redis');
    t = await startTestApp(stack);
    const host = await registerUser(t.base);
    code = (await host.api.post('/api/chats', { name })).body.code;
    const session = (await host.api.post(`/api/chats/${code}/join`, { username: host.name })).body.session_token;
    const sent = await new ApiClient(t.base, session).post(`/api/chats/${code}/messages`, { content });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    messageId = sent.body.id;
  });
  after(async () => {
    await t?.close();
    await stack?.dispose();
  });

  it('inspect --chat --show-messages shows chat names and message content escaped, never raw', async () => {
    const r = await runJob('inspect', ['--chat', code, '--show-messages'], stack.env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.not.match(RAW_CONTROL);
    expect(r.stdout).to.include('room \\x1b]52;c;cm0gLXJmIH4=\\x07');
    // Content is clipped to one table cell; its start shows the escape.
    expect(r.stdout).to.include('copy this \\x1b]52;c;');
  });

  it('inspect --message escapes what JSON leaves raw (C1 controls, bidirectional overrides)', async () => {
    const r = await runJob('inspect', ['--message', messageId], stack.env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.not.match(RAW_CONTROL);
    expect(r.stdout).to.include('\\x9bH and \\u202etxet');
  });

  it('--json keeps the stored text exactly', async () => {
    const r = await runJob('inspect', ['--chat', code, '--show-messages', '--json'], stack.env);
    expect(r.code, r.stderr).to.equal(0);
    const doc = jsonOf(r);
    expect(doc.chat.name).to.equal(name);
    expect(doc.messages[0].content).to.equal(content);
  });

  it("every job's text output goes through one escaping function; a terminal's colours stay", () => {
    let written = '';
    const stream = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          written += String(chunk);
          done();
        },
      }),
      { isTTY: true },
    ) as unknown as NodeJS.WriteStream;
    const out = createOutput(stream);
    const doc = { [`key ${OSC52}`]: [{ text: content }] };
    out.report(false, doc, (d) => Object.entries(d).map(([k, v]) => createStyle(true).bold(`${k} ${v[0].text}`)));
    expect(written).to.equal(`\x1b[1m${printable(`key ${OSC52}`)} ${printable(content)}\x1b[0m\n`);
  });
});
