import { expect } from 'chai';
import { ApiClient, STACKS, guest, useTestApp } from '../support';
import { converse, expectError, joinAs, registerUser, send } from '../support/users';

/** What a 1:1 conversation shows to whom: its own sessions read it, nobody else does. */
for (const stack of STACKS) {
  describe(`private conversation reads (${stack})`, function () {
    this.timeout(60_000);

    const app = useTestApp(stack);

    const reads = (code: string) => [
      `/api/chats/${code}`,
      `/api/chats/${code}/messages`,
      `/api/chats/${code}/pinned`,
      `/api/chats/${code}/online`,
    ];

    it("answers a conversation's info, history, pins and online list to its own sessions only", async () => {
      const t = app();
      const [a, b, outsider] = [await registerUser(t, 'a'), await registerUser(t, 'b'), await registerUser(t, 'o')];
      const code = await converse(a, b);
      const bob = await joinAs(b, code);
      await send(bob, code, 'between the two of us');

      const group = await outsider.api.post('/api/chats', { name: 'elsewhere' });
      const otherSession = await guest(t.base, group.body.code);
      for (const path of reads(code)) {
        expectError(await new ApiClient(t.base).get(path), 401, 'unauthorized');
        expectError(await new ApiClient(t.base, 'not-a-token').get(path), 401, 'unauthorized');
        expectError(await outsider.api.get(path), 401, 'unauthorized'); // a user token is no session
        expectError(await otherSession.get(path), 403, 'forbidden');
        const own = await bob.get(path);
        expect(own.status, `${path}: ${JSON.stringify(own.body)}`).to.equal(200);
      }
      const history = await bob.get(`/api/chats/${code}/messages`);
      expect(history.body.messages.map((m: { content: string }) => m.content)).to.deep.equal(['between the two of us']);
    });

    it('keeps group chats readable by anyone, whatever token comes along', async () => {
      const t = app();
      const host = await registerUser(t, 'h');
      const group = await host.api.post('/api/chats', { name: 'open room' });
      const code = group.body.code;
      await send(await joinAs(host, code), code, 'hello everyone');
      for (const path of reads(code)) {
        for (const client of [new ApiClient(t.base), new ApiClient(t.base, 'stale-or-garbage')]) {
          const res = await client.get(path);
          expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(200);
        }
      }
    });
  });
}
