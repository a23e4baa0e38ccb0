import { expect } from 'chai';
import { User } from '../../src/domain';
import { ApiClient, chatWithHost, STACKS, startStack, startTestApp, uniqueName, type TestApp } from '../support';
import { expectError } from './helpers';

// Issue #22, abuse resistance 4: `аlice` (Cyrillic а) and `ａｌｉｃｅ` (fullwidth) joined beside
// `alice`, `admin` and `system` could be taken, and `İ`×20 was a 500 on PostgreSQL (its lower case
// outgrew varchar(32)). Names are now NFKC + case-folded, mixed-script lookalikes refused, staff
// words reserved, and length measured after normalization.
for (const stack of STACKS) {
  describe(`usernames that impersonate (${stack})`, function () {
    this.timeout(60_000);
    let t: TestApp;

    before(async () => {
      t = await startTestApp(await startStack(stack));
    });
    after(async () => {
      await t?.close();
      await t?.stack.dispose();
    });

    const joinAs = (code: string, username: string) => new ApiClient(t.base).post(`/api/chats/${code}/join`, { username });
    const register = (username: string) => new ApiClient(t.base).post('/api/auth/register', { username, password: 'correct-horse-1' });
    /** A chat with a participant named `name` in it already. */
    async function chatWith(name: string): Promise<string> {
      const { code } = await chatWithHost(t.base);
      expect((await joinAs(code, name)).status).to.equal(200);
      return code;
    }

    it('refuses a mixed-script lookalike of a name in the chat (Cyrillic а in аlice), and lets single-script names in', async () => {
      const code = await chatWith('alice');
      expectError(await joinAs(code, '\u0430lice'), 409, 'conflict');
      const cyrillic = await joinAs(code, 'алиса');
      expect(cyrillic.status, 'a name all in Cyrillic').to.equal(200);
      expect(cyrillic.body.participant.username).to.equal('алиса');
    });

    it('reads a fullwidth name as the plain one: ｂｏｂ is bob, taken in the chat and shown plain when free', async () => {
      const code = await chatWith('bob');
      expectError(await joinAs(code, 'ｂｏｂ'), 409, 'conflict');
      const other = await chatWithHost(t.base);
      const joined = await joinAs(other.code, 'ＢＯＢ');
      expect(joined.status).to.equal(200);
      expect(joined.body.participant.username).to.equal('BOB');
    });

    it('reserves staff words in chats and for accounts, in any case or lookalike', async () => {
      const { code } = await chatWithHost(t.base);
      for (const name of ['admin', 'System', 'ＳＹＳＴＥＭ', '\u0430dmin']) expectError(await joinAs(code, name), 403, 'forbidden');
      expectError(await register('admin'), 403, 'forbidden');
      expectError(await register('SYSTEM'), 403, 'forbidden');
    });

    it('lets an account registered under a staff word before it was reserved join under it', async () => {
      const old = Object.assign(new User(), { username: 'support', displayName: 'Support', passwordHash: 'not-a-hash: never logs in' });
      await t.app.orm.em.fork().persistAndFlush(old);
      const token = await t.app.tokens.sign({ typ: 'user', sub: old.id, username: 'Support' });
      const { code } = await chatWithHost(t.base);
      const joined = await new ApiClient(t.base, token).post(`/api/chats/${code}/join`, { username: 'Support' });
      expect(joined.status, JSON.stringify(joined.body)).to.equal(200);
      expectError(await joinAs(code, 'support'), 403, 'forbidden');
    });

    it('measures length after normalization: İ×20 folds to 40 characters and is a 400, not a 500', async () => {
      const { code } = await chatWithHost(t.base);
      expectError(await joinAs(code, 'İ'.repeat(20)), 400, 'invalid_input');
      expect((await joinAs(code, 'İ'.repeat(16))).status, '16 fold to 32').to.equal(200);
    });

    it('registers and logs in under the plain form of a fullwidth account name', async () => {
      const name = uniqueName('fw');
      const wide = [...name].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
      const reg = await register(wide);
      expect(reg.status, JSON.stringify(reg.body)).to.equal(201);
      expect(reg.body.user.username).to.equal(name);
      expectError(await register(name), 409, 'conflict');
      const login = await new ApiClient(t.base).post('/api/auth/login', { username: name.toUpperCase(), password: 'correct-horse-1' });
      expect(login.status).to.equal(200);
    });
  });
}
