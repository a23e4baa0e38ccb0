import type { MessageView } from '../../js/src';
import { h } from './dom';

export const EMOJIS = ['👍', '❤️', '😂'];

export interface MessageActions {
  mine(m: MessageView): boolean;
  reacted(m: MessageView, emoji: string): boolean;
  react(m: MessageView, emoji: string): void;
  edit(m: MessageView, content: string): void;
  remove(m: MessageView): void;
  pin(m: MessageView): void;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** One message as a list item; rebuilt whole when the message changes. */
export function messageItem(m: MessageView, act: MessageActions): HTMLLIElement {
  const mine = act.mine(m);
  const li = h('li', {
    class: `message${mine ? ' mine' : ''}${m.deleted ? ' deleted' : ''}`,
    'data-testid': 'message',
    'data-seq': String(m.seq),
    'data-id': m.id,
  });
  li.append(
    h(
      'div',
      { class: 'meta' },
      h('strong', {}, m.username),
      h('time', { datetime: m.created_at }, time(m.created_at)),
      m.edited_at && !m.deleted ? h('span', {}, '(edited)') : null,
      m.is_pinned ? h('span', {}, '📌 pinned') : null,
    ),
    h('p', { class: 'content', 'data-testid': 'content' }, m.deleted ? 'message deleted' : m.content),
  );
  if (m.deleted) return li;
  const bar = h('div', { class: 'reactions' });
  const emojis = [...new Set([...EMOJIS, ...Object.keys(m.reactions)])];
  for (const emoji of emojis) {
    const count = m.reactions[emoji] ?? 0;
    const pressed = act.reacted(m, emoji);
    const b = h(
      'button',
      { type: 'button', 'aria-pressed': String(pressed), 'aria-label': `React ${emoji} (${count})`, 'data-emoji': emoji },
      count ? `${emoji} ${count}` : emoji,
    );
    b.addEventListener('click', () => act.react(m, emoji));
    bar.append(b);
  }
  const pin = h('button', { type: 'button', class: 'link', 'aria-label': `Pin message ${m.seq}` }, 'Pin');
  pin.addEventListener('click', () => act.pin(m));
  bar.append(pin);
  if (mine) {
    const edit = h('button', { type: 'button', class: 'link', 'aria-label': `Edit message ${m.seq}` }, 'Edit');
    const del = h('button', { type: 'button', class: 'link', 'aria-label': `Delete message ${m.seq}` }, 'Delete');
    edit.addEventListener('click', () => li.querySelector('.content')!.replaceWith(editForm(m, act)));
    del.addEventListener('click', () => {
      if (confirm('Delete this message?')) act.remove(m);
    });
    bar.append(edit, del);
  }
  li.append(bar);
  return li;
}

function editForm(m: MessageView, act: MessageActions): HTMLFormElement {
  const id = `edit-${m.id}`;
  const input = h('input', { id, value: m.content, maxlength: '4000', required: true });
  const form = h(
    'form',
    { class: 'edit-form' },
    h('label', { for: id, class: 'visually-hidden' }, 'Edit message'),
    input,
    h('button', { type: 'submit' }, 'Save'),
    h('button', { type: 'button', class: 'secondary' }, 'Cancel'),
  );
  const cancel = () => form.replaceWith(h('p', { class: 'content', 'data-testid': 'content' }, m.content));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim() && input.value !== m.content) {
      act.edit(m, input.value);
      form.replaceWith(h('p', { class: 'content', 'data-testid': 'content' }, input.value)); // until the change arrives
    } else cancel();
  });
  form.querySelector('button.secondary')!.addEventListener('click', cancel);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel();
  });
  queueMicrotask(() => input.focus());
  return form;
}
