import { ConnectionException } from '@mikro-orm/core';
import { expect } from 'chai';
import Redis from 'ioredis';
import { Writable } from 'node:stream';
import { createLogger } from '../src/logger';
import { causeText } from '../src/ops';
import { ApiClient, chatWithHost, STACKS, startRedis, startStack, startTestApp, uniqueName, type TestApp } from './support';
import { connect, joinOk, send } from './support/sockets';

/** A real logger whose lines the test reads. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger('info', 'chatpop', sink), text: () => lines.join('\n') };
}

// The database refuses these rows, so the statement fails carrying the secret in its SQL, its bound
// values and (PostgreSQL) the failing row.
const SECRET = 's3cr3t-do-not-log';
const REFUSED_USER = 'refused';

async function refuseSecrets(t: TestApp): Promise<void> {
  const conn = t.app.orm.em.getConnection();
  if (t.stack.name === 'postgres+redis') {
    await conn.execute(`alter table messages add constraint no_secrets check (content not like '%${SECRET}%')`);
    await conn.execute(`alter table users add constraint no_refused check (username not like '${REFUSED_USER}%')`);
  } else {
    await conn.execute(
      `create trigger no_secrets before insert on messages when new.content like '%${SECRET}%' begin select raise(abort, 'no_secrets'); end`,
    );
    await conn.execute(
      `create trigger no_refused before insert on users when new.username like '${REFUSED_USER}%' begin select raise(abort, 'no_refused'); end`,
    );
  }
}

describe('database connection failures keep their reason, not their statement (#22 hygiene)', () => {
  it("a statement cut off by a lost connection is told by the driver's words alone", () => {
    // What knex makes of a query whose connection died: the statement, values inlined, then the cause.
    const err = new ConnectionException(
      new Error(`update users set password_hash = '$argon2id$v=19$${SECRET}' - Connection terminated unexpectedly`),
    );
    expect(causeText(err)).to.equal('Connection terminated unexpectedly');
    const line = capturedLogger();
    line.log.error({ err }, 'failed');
    expect(line.text()).to.include('Connection terminated unexpectedly').and.not.include(SECRET);
  });
});

describe('Redis errors are logged without their command arguments (#22 hygiene)', () => {
  it('a refused command logs its name and the reply, not the values it carried', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      await client.set('chat:{HYGIENE1}:messages', 'a string');
      // ioredis hangs the command and its arguments on the error: here, a cached message.
      const err = await client.zadd('chat:{HYGIENE1}:messages', 1, `{"content":"${SECRET}"}`).then(
        () => null,
        (e: unknown) => e,
      );
      const line = capturedLogger();
      line.log.error({ err }, 'cache write failed');
      expect(line.text()).to.include('WRONGTYPE').and.include('zadd').and.not.include(SECRET);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});

for (const stackName of STACKS) {
  describe(`database errors are logged without their values (#22 hygiene: no SQL, bound values or rows in logs) [${stackName}]`, function () {
    this.timeout(60_000);
    let t: TestApp;
    let logs: ReturnType<typeof capturedLogger>;

    before(async () => {
      logs = capturedLogger();
      t = await startTestApp(await startStack(stackName), { LOG_LEVEL: 'info' }, undefined, logs.log);
      await refuseSecrets(t);
    });
    after(async () => {
      await t.close();
      await t.stack.dispose();
    });

    /** The log lines of failures, parsed. */
    const failures = () =>
      logs
        .text()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => l.err);

    it('a message send over REST that the database refuses logs the error class and code, not the content', async () => {
      const { code, host } = await chatWithHost(t.base);
      const res = await host.post(`/api/chats/${code}/messages`, { content: `hello ${SECRET}` });
      expect(res.status).to.equal(500);
      expect(logs.text()).to.not.include(SECRET);
      const err = failures().at(-1).err;
      expect(err.type)
        .to.be.a('string')
        .and.match(/Exception|Error/);
      expect(err.code).to.be.a('string').and.not.empty;
      if (stackName === 'postgres+redis') {
        expect(err.code).to.equal('23514');
        expect(err.table).to.equal('messages');
        expect(err.constraint).to.equal('no_secrets');
      }
    });

    it('a message send over socket.io that the database refuses logs no content', async () => {
      const { code, host } = await chatWithHost(t.base);
      const socket = await connect(t.base, host.token);
      try {
        await joinOk(socket, { code });
        const ack = await send(socket, code, `again ${SECRET}`);
        expect(ack.ok).to.equal(false);
      } finally {
        socket.close();
      }
      expect(logs.text()).to.not.include(SECRET);
      expect(failures().at(-1).event).to.equal('message:send');
    });

    it('a registration the database refuses logs neither the password hash nor the username', async () => {
      const username = uniqueName(REFUSED_USER);
      const res = await new ApiClient(t.base).post('/api/auth/register', { username, password: 'correct-horse-1' });
      expect(res.status).to.equal(500);
      expect(logs.text()).to.not.include('$argon2');
      expect(logs.text()).to.not.include(username);
      if (stackName === 'postgres+redis')
        expect(failures().at(-1).err).to.include({ code: '23514', table: 'users', constraint: 'no_refused' });
    });

    it("a job's one-line failure names the database error without the statement's values", async () => {
      const conn = t.app.orm.em.getConnection();
      const err = await conn.execute(`insert into messages (content) values ('${SECRET}')`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.have.property('message').that.includes(SECRET);
      const line = causeText(err);
      expect(line).to.match(/^database error: \w+/);
      expect(line).to.not.include(SECRET);
    });
  });
}
