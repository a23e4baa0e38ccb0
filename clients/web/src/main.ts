// The web chat at /: plain DOM on @chatpop/client. The SDK keeps each chat's stream whole; this
// file only draws it and turns forms and buttons into SDK calls.
import { Api, connect, type Chat, type ChatPopClient, type ConnectionState, type MessageView } from '../../js/src';
import { byId, h } from './dom';
import { messageItem, type MessageActions } from './message-view';
import { save, saved } from './storage';

const api = new Api(location.origin);
let client: ChatPopClient | null = null;
let current: Chat | null = null;
let unsubscribe: (() => void)[] = [];
/** reactions this browser added, per message: the server counts, it does not say whose */
const myReactions = new Set<string>();

const el = {
  connection: byId('connection'),
  signin: byId<HTMLFormElement>('signin'),
  signedIn: byId('signed-in'),
  me: byId('me'),
  join: byId<HTMLFormElement>('join'),
  joinName: byId<HTMLInputElement>('join-name'),
  joinNameLabel: byId('join-name-label'),
  create: byId<HTMLFormElement>('create'),
  formError: byId('form-error'),
  inbox: byId('inbox'),
  main: byId('main'),
  title: byId('chat-title'),
  code: byId('chat-code'),
  online: byId('online'),
  onlineCount: byId('online-count'),
  pinned: byId('pinned'),
  pinnedCount: byId('pinned-count'),
  older: byId<HTMLButtonElement>('older'),
  messages: byId('messages'),
  composer: byId<HTMLFormElement>('composer'),
  text: byId<HTMLTextAreaElement>('composer-text'),
};

const STATE_TEXT: Record<ConnectionState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

function showState(state: ConnectionState): void {
  el.connection.dataset.state = state;
  el.connection.textContent = STATE_TEXT[state];
}

function fail(err: unknown): void {
  el.formError.textContent = err instanceof Error ? err.message : String(err);
}

/** One client per identity: a user token, or (anonymous) the first chat's session token. */
function startClient(token?: string): ChatPopClient {
  client?.close();
  client = connect({
    url: location.origin,
    token,
    onToken: (t) => {
      saved.userToken = t;
      save();
    },
  });
  client.on('state', showState);
  client.on('error', (err) => fail(err));
  client.inbox.on('change', renderInbox);
  showState(client.state);
  return client;
}

function renderAccount(): void {
  const name = saved.userToken ? client?.username : undefined;
  el.signin.hidden = Boolean(name);
  el.signedIn.hidden = !name;
  el.create.hidden = !name;
  el.me.textContent = name ?? '';
  // Signed in, one joins under one's own name.
  el.joinName.hidden = el.joinNameLabel.hidden = Boolean(name);
  el.joinName.required = !name;
}

function renderInbox(): void {
  const rows =
    saved.userToken && client
      ? client.inbox.conversations.map((c) => ({ code: c.code, name: c.partner ? `${c.partner.username}` : c.name, unread: c.unread }))
      : Object.keys(saved.sessions).map((code) => ({ code, name: code, unread: 0 }));
  el.inbox.replaceChildren(
    ...rows.map((r) => {
      const b = h(
        'button',
        {
          type: 'button',
          'aria-current': String(r.code === current?.code),
          'aria-label': `${r.name}${r.unread ? `, ${r.unread} unread` : ''}`,
        },
        h('span', {}, r.name),
        r.unread ? h('span', { class: 'unread', 'data-testid': 'unread' }, String(r.unread)) : '',
      );
      b.addEventListener('click', () => void open(r.code).catch(fail));
      return h('li', { 'data-code': r.code }, b);
    }),
  );
}

async function open(code: string, username?: string): Promise<void> {
  const c = client && client.state !== 'closed' ? client : startClient(saved.userToken);
  code = code.trim().toUpperCase();
  const sessionToken = saved.userToken ? undefined : saved.sessions[code];
  const chat = await c.join(code, sessionToken ? { sessionToken } : { username: username || undefined });
  if (!saved.userToken && chat.sessionToken) saved.sessions[code] = chat.sessionToken;
  if (saved.userToken && !c.inbox.conversations.some((x) => x.code === code)) void c.inbox.reload(); // a chat new to the inbox
  saved.lastChat = code;
  save();
  show(chat);
}

const actions: MessageActions = {
  mine: (m) => m.username.toLowerCase() === current?.username?.toLowerCase(),
  reacted: (m, emoji) => myReactions.has(`${m.id} ${emoji}`),
  react: (m, emoji) => {
    const key = `${m.id} ${emoji}`;
    const op = myReactions.has(key) ? 'remove' : 'add';
    if (op === 'add') myReactions.add(key);
    else myReactions.delete(key);
    current?.react(m.id, emoji, op).catch(fail);
  },
  edit: (m, content) => void current?.edit(m.id, content).catch(fail),
  remove: (m) => void current?.delete(m.id).catch(fail),
  pin: (m) => void current?.pin(m.id, 0, 60).catch(fail),
};

const items = new Map<string, HTMLLIElement>();

function nearBottom(): boolean {
  const list = el.messages;
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function append(m: MessageView): void {
  const stick = nearBottom();
  const li = messageItem(m, actions);
  items.set(m.id, li);
  el.messages.append(li);
  if (stick) el.messages.scrollTop = el.messages.scrollHeight;
}

function show(chat: Chat): void {
  for (const off of unsubscribe) off();
  current = chat;
  items.clear();
  el.main.hidden = false;
  el.title.textContent = chat.code;
  el.code.textContent = chat.code;
  el.messages.replaceChildren();
  for (const m of chat.messages) append(m);
  el.messages.scrollTop = el.messages.scrollHeight;
  renderPeople(chat);
  el.older.hidden = !chat.hasOlder;
  renderInbox();
  void api.chatInfo(chat.code, chat.sessionToken).then(
    (info) => (el.title.textContent = info.name),
    () => undefined,
  );
  const markRead = debounce(() => void chat.markRead().catch(() => undefined), 800);
  markRead();
  unsubscribe = [
    chat.on('message', (m) => {
      append(m);
      if (document.visibilityState === 'visible') markRead();
    }),
    chat.on('older', (ms) => {
      const before = el.messages.scrollHeight;
      el.messages.prepend(
        ...ms.map((m) => {
          const li = messageItem(m, actions);
          items.set(m.id, li);
          return li;
        }),
      );
      el.messages.scrollTop += el.messages.scrollHeight - before;
      el.older.hidden = !chat.hasOlder;
    }),
    chat.on('update', (m) => {
      const old = items.get(m.id);
      if (!old || (old.contains(document.activeElement) && old.querySelector('form'))) return; // keep an edit in progress
      const li = messageItem(m, actions);
      items.set(m.id, li);
      old.replaceWith(li);
    }),
    chat.on('presence', () => renderPeople(chat)),
    chat.on('pins', () => renderPeople(chat)),
  ];
}

function renderPeople(chat: Chat): void {
  el.online.replaceChildren(...chat.online.map((u) => h('li', {}, u)));
  el.onlineCount.textContent = String(chat.online.length);
  el.pinned.replaceChildren(
    ...chat.pinned.map((m) => h('li', {}, h('strong', {}, m.username), ': ', m.deleted ? 'message deleted' : m.content)),
  );
  el.pinnedCount.textContent = String(chat.pinned.length);
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

el.signin.addEventListener('submit', (e) => {
  e.preventDefault();
  el.formError.textContent = '';
  const form = new FormData(el.signin);
  const [username, password] = [String(form.get('username')), String(form.get('password'))];
  const register = (e as SubmitEvent).submitter?.getAttribute('value') === 'register';
  void (register ? api.register(username, password) : api.login(username, password)).then(({ token }) => {
    saved.userToken = token;
    saved.sessions = {};
    save();
    startClient(token);
    renderAccount();
    current = null;
    el.main.hidden = true;
  }, fail);
});

byId('signout').addEventListener('click', () => {
  localStorage.clear();
  location.reload();
});

el.join.addEventListener('submit', (e) => {
  e.preventDefault();
  el.formError.textContent = '';
  const form = new FormData(el.join);
  void open(String(form.get('code')), String(form.get('username') ?? '')).catch(fail);
});

el.create.addEventListener('submit', (e) => {
  e.preventDefault();
  el.formError.textContent = '';
  const name = String(new FormData(el.create).get('name'));
  void api
    .createChat(saved.userToken!, name)
    .then((chat) => open(chat.code))
    .then(() => el.create.reset(), fail);
});

el.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const content = el.text.value.trim();
  if (!content || !current) return;
  el.text.value = '';
  current.send(content).catch(fail); // waits out reconnects: the SDK resends it until acked
});

// Enter sends, Shift+Enter starts a new line.
el.text.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    el.composer.requestSubmit();
  }
});

el.older.addEventListener('click', () => void current?.loadOlder().catch(fail));

if (saved.userToken) startClient(saved.userToken);
renderAccount();
renderInbox();
if (saved.lastChat && (saved.userToken || saved.sessions[saved.lastChat])) void open(saved.lastChat).catch(fail);
