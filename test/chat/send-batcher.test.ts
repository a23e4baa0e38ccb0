import { expect } from 'chai';
import type { SessionClaims } from '../../src/auth/tokens';
import type { SendInput } from '../../src/chat/inputs';
import { OVERLAP_FROM, SendBatcher } from '../../src/chat/send-batcher';
import { newMessage, type CommittedBatch, type SendCommit, type SendGroup } from '../../src/chat/send-commit';

// The batcher's scheduling alone: when a commit starts relative to the last one's publishing. The
// stores behind it are covered by the history and gateway suites on both stacks; here a committer
// and a publisher the test releases by hand make every interleaving explicit.

interface Held {
  sends: number;
  release(): void;
}

/** Stores nothing; each commit waits until the test releases it. */
class HeldCommit implements SendCommit {
  readonly spansChats = true;
  readonly commits: Held[] = [];

  commit(groups: SendGroup[]): Promise<CommittedBatch[]> {
    return new Promise((resolve) =>
      this.commits.push({
        sends: groups.reduce((n, g) => n + g.sends.length, 0),
        release: () =>
          resolve(
            groups.map((g) => ({
              sends: g.sends.map((s, i) => ({ message: newMessage(g.chat, g.channel, s, i + 1, i + 1, new Date()), duplicate: false })),
              membersVersion: 0,
            })),
          ),
      }),
    );
  }
}

const chat = { id: '00000000-0000-4000-8000-000000000001', code: 'ABCDEF' };
const session: SessionClaims = {
  typ: 'session',
  sub: '00000000-0000-4000-8000-000000000002',
  chat_id: chat.id,
  code: chat.code,
  username: 'ann',
  user_id: null,
  host: false,
};
const input = { content: 'hi', channel: 'main' } as SendInput;

/** Lets every promise callback and I/O-free turn run. */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function setUp() {
  const committer = new HeldCommit();
  const publishings: Held[] = [];
  const batcher = new SendBatcher<string>(
    committer,
    (_code, _channel, fresh) =>
      new Promise((resolve) => publishings.push({ sends: fresh.length, release: () => resolve(fresh.map((m) => `view ${m.seq}`)) })),
  );
  /** sends numbered from 1 in submit order, as their acks arrive */
  const acked: number[] = [];
  let submitted = 0;
  const submit = (n: number) =>
    Array.from({ length: n }, () => {
      const id = ++submitted;
      return batcher.submit(chat, session, input).then(() => acked.push(id));
    });
  return { committer, publishings, submit, acked };
}

describe('send batching: when the next commit starts', () => {
  it('at moderate load waits for the last commit to finish publishing, so the sends meanwhile share one commit', async () => {
    const { committer, publishings, submit } = setUp();
    const sent = [...submit(1)];
    await settle();
    expect(committer.commits.map((c) => c.sends)).to.deep.equal([1]);

    sent.push(...submit(3));
    committer.commits[0]!.release();
    await settle();
    expect(
      publishings.map((p) => p.sends),
      'the first commit publishes',
    ).to.deep.equal([1]);
    sent.push(...submit(2));
    await settle();
    expect(committer.commits, 'no second commit while it publishes').to.have.length(1);

    publishings[0]!.release();
    await settle();
    expect(
      committer.commits.map((c) => c.sends),
      'the second commit takes all five',
    ).to.deep.equal([1, 5]);
    committer.commits[1]!.release();
    await settle();
    publishings[1]!.release();
    await Promise.all(sent);
  });

  it(`with a backlog of ${OVERLAP_FROM} sends starts the next commit while the last one still publishes`, async () => {
    const { committer, publishings, submit, acked } = setUp();
    const sent = [...submit(1)];
    await settle();
    sent.push(...submit(OVERLAP_FROM));
    committer.commits[0]!.release();
    await settle();
    expect(publishings.map((p) => p.sends)).to.deep.equal([1]);
    expect(
      committer.commits.map((c) => c.sends),
      'the backlog is being committed meanwhile',
    ).to.deep.equal([1, OVERLAP_FROM]);

    // Publishing stays in commit order: the second waits for the first even when its commit ends first.
    committer.commits[1]!.release();
    await settle();
    expect(publishings, 'one publishing at a time').to.have.length(1);
    expect(acked).to.deep.equal([]);
    publishings[0]!.release();
    await settle();
    expect(acked, 'the first commit acked').to.deep.equal([1]);
    publishings[1]!.release();
    await Promise.all(sent);
    expect(acked).to.have.length(OVERLAP_FROM + 1);
  });
});
