// inbox:updated — a registered user's sockets hear of every change to a chat of theirs, at most once
// per chat per second, whichever pods committed the changes.
//
// The pod that commits a change claims the chat's window (InboxGate, shared by the pods). The
// claimant tells the members when the window has passed, reading the chat then, so one event
// carries every change of the window. A pod whose claim fails had its change committed while the
// window was held, so before the claimant reads: the claimant's event covers it.
import type { ChatEvents } from '../chat';
import type { Logger } from '../logger';
import type { ChatInbox } from '../users';
import type { InboxUpdate } from './events';
import type { InboxGate } from './inbox-gate';

/** How long a chat's inbox news is gathered before its members hear it, ms. @default 1000 */
export const INBOX_WINDOW_MS = 1000;
/** Read a little after the window's key expired, so a claim it refused is always before the read. */
const SETTLE_MS = 10;

interface Gathering {
  /** a change came after the claim (while claiming) or after the read (while telling) */
  again: boolean;
  timer?: NodeJS.Timeout;
}

export class InboxNotifier {
  /** chats this pod is claiming or gathering */
  private readonly chats = new Map<string, Gathering>();
  private closed = false;

  constructor(
    private readonly feed: (code: string) => Promise<ChatInbox>,
    private readonly gate: InboxGate,
    private readonly tell: (userId: string, update: InboxUpdate) => void,
    private readonly log: Logger,
    private readonly windowMs = INBOX_WINDOW_MS,
  ) {}

  /** Follows this pod's commits that change inboxes (main-channel sends, edits, deletes); returns the unsubscribe. */
  attach(events: ChatEvents): () => void {
    return events.onInboxChange(({ chat_code, channel }) => {
      if (channel === 'main') this.changed(chat_code);
    });
  }

  changed(code: string): void {
    if (this.closed) return;
    const gathering = this.chats.get(code);
    if (gathering) {
      gathering.again = true;
      return;
    }
    const fresh: Gathering = { again: false };
    this.chats.set(code, fresh);
    void this.claim(code, fresh);
  }

  /** Resolves true once no chat's news is being gathered or told (tests wait on it before changing the cache behind the pod). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.chats.size) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  close(): void {
    this.closed = true;
    for (const g of this.chats.values()) clearTimeout(g.timer);
    this.chats.clear();
  }

  private async claim(code: string, g: Gathering): Promise<void> {
    for (;;) {
      g.again = false;
      // Redis unreachable: tell anyway (a second event beats a lost one).
      const won = await this.gate.claim(code, this.windowMs).catch(() => true);
      if (this.closed) return;
      if (won) {
        g.timer = setTimeout(() => void this.deliver(code, g), this.windowMs + SETTLE_MS);
        g.timer.unref();
        return;
      }
      // A change that came while we asked may be later than the other claim's read: ask again.
      if (!g.again) {
        this.chats.delete(code);
        return;
      }
    }
  }

  private async deliver(code: string, g: Gathering): Promise<void> {
    g.again = false; // what came until now, the read below sees
    try {
      const { members, ...chat } = await this.feed(code);
      for (const m of members) {
        this.tell(m.userId, { chat_code: chat.chat_code, last_seq: chat.last_seq, unread: m.unread, last_message: chat.last_message });
      }
    } catch (err) {
      this.log.debug({ err, code }, 'inbox update failed');
    }
    if (this.chats.get(code) !== g) return; // closed meanwhile
    this.chats.delete(code);
    if (g.again) this.changed(code);
  }
}
