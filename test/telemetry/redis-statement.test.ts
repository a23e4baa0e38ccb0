import { expect } from 'chai';
import { redisStatement } from '../../src/telemetry';

describe('redisStatement (ioredis db.statement)', () => {
  const message = JSON.stringify({ content: 'a private message' });

  it('shows script keys but never script arguments', () => {
    const s = redisStatement('evalsha', ['abc123', 2, 'chat:{ZCMLY634}:messages', 'chat:{ZCMLY634}:meta', '42', message, '500']);
    expect(s).to.equal('evalsha abc123 2 chat:{ZCMLY634}:messages chat:{ZCMLY634}:meta [3 other arguments]');
    expect(redisStatement('eval', ['return 1', 1, 'k', message])).to.equal('eval <script> 1 k [1 other arguments]');
  });

  it('shows only the key of other commands', () => {
    expect(redisStatement('zadd', ['chat:{ZCMLY634}:messages', 42, message])).to.equal('zadd chat:{ZCMLY634}:messages [2 other arguments]');
    expect(redisStatement('publish', ['socket.io#/#', Buffer.from(message)])).to.equal('publish socket.io#/# [1 other arguments]');
    expect(redisStatement('ping', [])).to.equal('ping');
    expect(redisStatement('get', [Buffer.from('x')])).to.equal('get <binary>');
  });
});
