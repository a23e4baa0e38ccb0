// What the page remembers in this browser: a signed-in user's token, anonymous chats' session
// tokens, the chat that was open.
const KEY = 'chatpop.web';

interface Saved {
  userToken?: string;
  /** anonymous participations: code → session token */
  sessions: Record<string, string>;
  lastChat?: string;
}

function load(): Saved {
  try {
    return { sessions: {}, ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Saved>) };
  } catch {
    return { sessions: {} };
  }
}

export const saved = load();

export function save(): void {
  localStorage.setItem(KEY, JSON.stringify(saved));
}
