import type { SessionClaims } from '../auth';
import type { ChatEvents, ParticipantRenamed } from './events';
import type { MessageStore } from './message-store';

/** How long a pod trusts the name it read for a participant. @default 30 s */
export const NAME_TTL_MS = 30_000;

/**
 * The current names of anonymous participants. A session token carries the name it was issued
 * with; a participant renamed since (a squatter whose name its registered owner took over) must
 * not go on posting under it. A rename is seen at once on the pod that made it, on others as soon
 * as its pod tells them (or, should that message be lost, within NAME_TTL_MS).
 */
export class ParticipantNames {
  private readonly names = new Map<string, { username: string; until: number }>();

  constructor(
    private readonly store: MessageStore,
    events: ChatEvents,
    private readonly now: () => number = Date.now,
  ) {
    events.on('participant:renamed', (r) => this.renamed(r));
  }

  /** A rename made here or, told by its pod, on another. */
  renamed(rename: ParticipantRenamed): void {
    this.remember(rename.participant_id, rename.username);
  }

  /** The name to post under: the token's for registered users (their names do not move), else the stored one. */
  async current(session: SessionClaims): Promise<string> {
    if (session.user_id !== null) return session.username;
    const hit = this.names.get(session.sub);
    if (hit && hit.until > this.now()) return hit.username;
    const username = await this.store.repos.participants.usernameOf(session.chat_id, session.sub);
    return this.remember(session.sub, username ?? session.username);
  }

  private remember(id: string, username: string): string {
    if (this.names.size > 100_000) this.names.clear();
    this.names.set(id, { username, until: this.now() + NAME_TTL_MS });
    return username;
  }
}
