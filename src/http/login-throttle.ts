import { RateLimiter } from '../chat';

/**
 * Login limits that an attacker cannot turn against the account they target. Every attempt counts
 * against its address; only wrong passwords count against the username, and per (username,
 * address): ten wrong logins for bob from ten addresses lock none of them out, nor bob from an
 * eleventh. The per-username ceiling, well above one address's share, stops a guess spread over
 * many addresses.
 */
export class LoginThrottle {
  /** attempts per address, any username: 10 a minute */
  private readonly perAddress = new RateLimiter(10, 60);
  /** wrong passwords per (username, address): 5, then one more per minute */
  private readonly perPair = new RateLimiter(5, 300);
  /** wrong passwords per username from every address: 50 per 15 minutes */
  private readonly perUser = new RateLimiter(50, 900);

  /** Takes the address's attempt; 0 when the login may go ahead, else the seconds to wait. */
  admit(usernameKey: string, address: string): number {
    const wait = Math.max(this.perPair.peek(pair(usernameKey, address)), this.perUser.peek(usernameKey));
    return wait || this.perAddress.take(address);
  }

  /** A wrong password (or no such user): counted against the username, from this address. */
  failed(usernameKey: string, address: string): void {
    this.perPair.take(pair(usernameKey, address));
    this.perUser.take(usernameKey);
  }
}

const pair = (usernameKey: string, address: string) => `${usernameKey}\u0000${address}`;
