// Sending and reading a chat's messages page by page, for the chat tests.
import { expect } from 'chai';
import type { ApiClient } from '../support';

/** Every page of `before` scrollback from the newest to seq 1, newest first. */
export async function scrollAll(api: ApiClient, code: string, limit: number) {
  const seqs: number[] = [];
  const sources: string[] = [];
  let path = `/api/chats/${code}/messages?limit=${limit}`;
  for (;;) {
    const res = await api.get(path);
    expect(res.status).to.equal(200);
    seqs.push(...res.body.messages.map((m: { seq: number }) => m.seq));
    sources.push(res.body.source);
    if (!res.body.has_more) break;
    path = `/api/chats/${code}/messages?limit=${limit}&before=${res.body.next_before}`;
  }
  return { seqs, sources };
}

/** from, from - 1, …, to. */
export const descending = (from: number, to = 1) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

/** `count` REST sends of `message N`, `concurrency` at a time; their seqs in the order answered. */
export async function sendMany(host: ApiClient, code: string, count: number, concurrency = 1) {
  const results: number[] = [];
  for (let i = 0; i < count; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, j) =>
      host.post(`/api/chats/${code}/messages`, { content: `message ${i + j + 1}` }),
    );
    for (const res of await Promise.all(batch)) {
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      results.push(res.body.seq);
    }
  }
  return results;
}
