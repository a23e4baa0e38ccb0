import { expect } from 'chai';
import type { ChatPopApp } from '../../src/app';
import type { Context } from 'koa';
import type { Em } from '../../src/db';
import { User } from '../../src/domain';
import { currentRequest, requestScope } from '../../src/http';
import { ApiClient, uniqueName, type ApiResponse } from './api-client';
import type { TestApp } from './stacks';

export interface TestUser {
  id: string;
  username: string;
  /** REST client carrying the user token */
  api: ApiClient;
}

/**
 * A registered user, stored directly: the same row registration writes, without the slow password
 * hash (these tests never log in) or the register route's limit of 10 per minute per address.
 */
export async function registerUser(t: TestApp, prefix = 'u'): Promise<TestUser> {
  const username = uniqueName(prefix);
  const user = Object.assign(new User(), {
    username: username.toLowerCase(),
    displayName: username,
    passwordHash: 'not-a-hash: never logs in',
  });
  await t.app.orm.em.fork().persistAndFlush(user);
  const token = await t.app.tokens.sign({ typ: 'user', sub: user.id, username });
  return { id: user.id, username, api: new ApiClient(t.base, token) };
}

/** Joins a chat as a registered user under their reserved name; returns the session client. */
export async function joinAs(u: TestUser, code: string): Promise<ApiClient> {
  const res = await u.api.post(`/api/chats/${code}/join`, { username: u.username });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return u.api.withToken(res.body.session_token);
}

/** Opens (or finds) the direct conversation of two users; returns its code. */
export async function converse(a: TestUser, b: TestUser): Promise<string> {
  const res = await a.api.post('/api/conversations', { with: b.username });
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  return res.body.code;
}

export async function send(session: ApiClient, code: string, content: string): Promise<{ seq: number; id: string }> {
  const res = await session.post(`/api/chats/${code}/messages`, { content });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

export function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.body).to.have.property('error');
  expect(res.body.error.code).to.equal(code);
  expect(res.body.error.message).to.be.a('string').and.not.empty;
}

export async function unread(u: TestUser): Promise<number> {
  const res = await u.api.get('/api/me/unread-count');
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.unread;
}

/**
 * Counts the SQL statements the app sends while serving requests, through knex's 'query' event
 * (every MikroORM query on PostgreSQL and SQLite goes through the ORM's knex instance). The event
 * fires in the caller's async context, so statements of background timers (e.g. the monitoring
 * settings poll on SQLite) are told apart by running outside any request's scope; run direct service
 * calls inside `inRequest`.
 */
export function countQueries(app: ChatPopApp): { readonly count: number; readonly sql: string[]; reset(): void; stop(): void } {
  const knex = (app.orm.em as Em).getConnection().getKnex();
  const seen: string[] = [];
  const onQuery = (q: { sql: string }) => {
    if (currentRequest()) seen.push(q.sql);
  };
  knex.on('query', onQuery);
  return {
    get count() {
      return seen.length;
    },
    get sql() {
      return [...seen];
    },
    reset: () => void seen.splice(0),
    stop: () => void knex.off('query', onQuery),
  };
}

/** Runs fn as a request would: inside a request's scope. */
export async function inRequest<T>(fn: () => Promise<T>): Promise<T> {
  let result!: T;
  await requestScope({} as Context, async () => {
    result = await fn();
  });
  return result;
}

/**
 * Waits for background work that may touch the database or refill the cache: inbox news (whose read
 * of a chat's newest message rebuilds a window it finds gone), inbox invalidations, window repairs.
 */
export async function quiesce(app: ChatPopApp): Promise<void> {
  await app.realtime.inbox.idle();
  await app.users.cache.settled();
  await app.chat.repair.idle();
}

/** A chat and its host's session, without the register route (a suite that uses up its rate limit). */
export async function hostedChat(t: TestApp, name: string): Promise<{ code: string; host: ApiClient }> {
  const owner = await registerUser(t, 'host');
  const { code } = (await owner.api.post('/api/chats', { name })).body;
  return { code, host: await joinAs(owner, code) };
}
