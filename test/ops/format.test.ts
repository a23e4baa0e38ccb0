import { expect } from 'chai';
import { differingFields } from '../../src/ops/cache-compare';
import {
  classifyKey,
  clip,
  createStyle,
  formatCents,
  formatDuration,
  formatTime,
  formatTtl,
  globToRegExp,
  inspectText,
  redactUrl,
  table,
  toPodRow,
} from '../../src/ops';
import { POD_LIST } from '../jobs/fixtures/pod-list';

describe('ops: formatting and key names', () => {
  it('formats TTLs as the two largest units, and Redis TTL answers for no expiry and missing keys', () => {
    expect(formatTtl(23 * 3600 + 45 * 60 + 59)).to.equal('23h 45m');
    expect(formatTtl(7 * 86_400 - 1)).to.equal('6d 23h');
    expect(formatTtl(86_400)).to.equal('1d');
    expect(formatTtl(12 * 60 + 5)).to.equal('12m 5s');
    expect(formatTtl(42)).to.equal('42s');
    expect(formatTtl(0)).to.equal('0s');
    expect(formatTtl(-1)).to.equal('no expiry');
    expect(formatTtl(-2)).to.equal('missing');
    expect(formatDuration(3600)).to.equal('1h');
  });

  it('formats times, cents, and clips long text to one line', () => {
    expect(formatTime('2026-11-23T11:23:05.123Z')).to.equal('2026-11-23 11:23:05Z');
    expect(formatTime(null)).to.equal('—');
    expect(formatCents(500)).to.equal('$5.00');
    expect(clip('a\n b  c', 10)).to.equal('a b c');
    expect(clip('x'.repeat(70), 10)).to.equal('x'.repeat(9) + '…');
  });

  it('aligns table columns and leaves the last one unpadded', () => {
    expect(
      table(
        ['KEY', 'N'],
        [
          ['a', '1'],
          ['long-key', '22'],
        ],
      ),
    ).to.deep.equal(['KEY       N', 'a         1', 'long-key  22']);
  });

  it('tells what a key holds from its name alone', () => {
    expect(classifyKey('chat:{ABCD1234}:messages')).to.include({ kind: 'messages', chat: 'ABCD1234' });
    expect(classifyKey('chat:{ABCD1234}:backroom')).to.include({ kind: 'backroom', chat: 'ABCD1234' });
    expect(classifyKey('chat:{ABCD1234}:meta')).to.include({ kind: 'meta' });
    expect(classifyKey('chat:{ABCD1234}:pinned')).to.include({ kind: 'pinned' });
    expect(classifyKey('chat:{ABCD1234}:reactions:m-1')).to.include({ kind: 'reactions', messageId: 'm-1' });
    expect(classifyKey('chat:{ABCD1234}:online')).to.include({ kind: 'online', chat: 'ABCD1234' });
    expect(classifyKey('user:{u-1}:profile.gen')).to.include({ kind: 'user', userId: 'u-1', what: 'profile.gen' });
    expect(classifyKey('chatpop:repair:waiting')).to.include({ kind: 'other', chat: null, userId: null });
  });

  it('matches glob patterns as Redis SCAN MATCH does for our key names', () => {
    const re = globToRegExp('chat:{AB*}:reactions:*');
    expect(re.test('chat:{AB12}:reactions:x')).to.equal(true);
    expect(re.test('chat:{XY12}:reactions:x')).to.equal(false);
  });

  it('hides passwords in URLs it prints', () => {
    expect(redactUrl('redis://:s3cret@10.0.0.1:6379/2')).to.equal('redis://:***@10.0.0.1:6379/2');
    expect(redactUrl('postgres://app:pw@db:5432/chatpop')).to.equal('postgres://app:***@db:5432/chatpop');
  });

  it('compares cached and database messages field by field, ignoring is_pinned and key order', () => {
    const db = { id: 'a', content: 'hi', reactions: { '👍': 1, '❤️': 2 }, is_pinned: false, edited_at: null };
    expect(differingFields({ ...db, reactions: { '❤️': 2, '👍': 1 }, is_pinned: true }, db)).to.deep.equal([]);
    expect(differingFields({ ...db, content: 'changed', edited_at: 'x' }, db)).to.deep.equal(['content', 'edited_at']);
    expect(differingFields({ id: 'a', content: 'hi', reactions: {}, edited_at: null }, db)).to.deep.equal(['reactions']);
  });

  it('marks reserved names and the host with emoji only on a terminal', () => {
    const m = { verified: true, host: true };
    expect(inspectText.markers(m, createStyle(false))).to.equal('VERIFIED HOST');
    expect(inspectText.markers(m, createStyle(true)).replace(/\x1b\[[0-9;]*m/g, '')).to.equal('VERIFIED ✓ HOST 👑');
    expect(inspectText.markers({ verified: false, host: false }, createStyle(true))).to.equal('');
  });

  it('reads phase, readiness, restarts, age and the waiting reason from a pod', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    const [ready, restarted, crashing] = POD_LIST.items.map((p) => toPodRow(p as never, now));
    expect(ready).to.deep.include({
      name: 'chatpop-6b8d9c7f5d-x2x9q',
      phase: 'Running',
      ready: '1/1',
      is_ready: true,
      restarts: 0,
      reason: null,
    });
    expect(ready.age_seconds).to.equal((now - Date.parse('2026-11-20T08:15:00Z')) / 1000);
    expect(restarted).to.deep.include({ restarts: 2, is_ready: true });
    expect(crashing).to.deep.include({ ready: '0/1', is_ready: false, restarts: 7, reason: 'CrashLoopBackOff' });
  });
});
