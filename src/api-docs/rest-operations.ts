import { z } from 'zod';
import { inputs } from '../chat';
import { settingsInput, viewQuery } from '../http';
import type { ApiSchemas } from './schemas';

/** Who may call: `none` is open; several mean any one of them. */
export type Security = 'none' | 'user' | 'session' | 'admin';

export interface RestResponse {
  /** a component of ApiSchemas, or other media (text, html) described in words */
  body?: keyof ApiSchemas | { oneOf: (keyof ApiSchemas)[] } | { mediaType: string };
  description: string;
}

/** One route as the server serves it; the schemas are the very ones its handler parses. */
export interface RestOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/api/chats/{code}` */
  path: string;
  tag: string;
  summary: string;
  security: Security[];
  query?: z.ZodType;
  body?: { name: string; schema: z.ZodType; optional?: boolean };
  responses: Record<number, RestResponse>;
  /** error statuses the route answers itself (every route may also answer 500 and 503) */
  errors: number[];
}

/** Path parameters, parsed by the routers' `param` handlers. */
export const pathParams: Record<string, { name: string; schema: z.ZodType; description: string }> = {
  code: { name: 'ChatCode', schema: inputs.chatCode, description: 'the chat code (lower case is accepted and upper-cased)' },
  id: { name: 'MessageId', schema: inputs.uuid, description: 'the message id' },
  username: { name: 'AccountName', schema: inputs.accountName, description: 'a registered username (any letter case)' },
  name: { name: 'AssetName', schema: z.string(), description: 'a built asset of the web chat (content-hashed file name)' },
};

const ok = (body: RestResponse['body'], description = 'OK'): RestResponse => ({ body, description });
const created = (body: RestResponse['body']): RestResponse => ({ body, description: 'Created' });
const READ = [400, 401, 403, 404];
const WRITE = [400, 401, 403, 404];

/** Every route of src/http/routes, in the order docs/contract.md lists them. */
export function restOperations(): RestOperation[] {
  const chat = (method: RestOperation['method'], path: string, rest: Omit<RestOperation, 'method' | 'path' | 'tag'>): RestOperation => ({
    method,
    path: `/api/chats${path}`,
    tag: 'chats',
    ...rest,
  });
  return [
    {
      method: 'post',
      path: '/api/auth/register',
      tag: 'auth',
      summary: 'Register a user; its username becomes reserved',
      security: ['none'],
      body: { name: 'Credentials', schema: inputs.credentialsInput },
      responses: { 201: created('AuthResult') },
      errors: [400, 409, 429, 503],
    },
    {
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: 'Log in',
      security: ['none'],
      body: { name: 'Credentials', schema: inputs.credentialsInput },
      responses: { 200: ok('AuthResult') },
      errors: [400, 401, 429, 503],
    },
    {
      method: 'post',
      path: '/api/auth/refresh',
      tag: 'auth',
      summary: 'A fresh user token for a valid one',
      security: ['user'],
      responses: { 200: ok('AuthResult') },
      errors: [401],
    },
    {
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      summary: 'Revoke every token of the user issued before now',
      security: ['user'],
      responses: { 204: { description: 'Logged out' } },
      errors: [401],
    },

    chat('post', '', {
      summary: 'Create a chat; the caller is its host',
      security: ['user'],
      body: { name: 'CreateChat', schema: inputs.createChatInput },
      responses: { 201: created('Chat') },
      errors: [400, 401],
    }),
    chat('get', '/{code}', {
      summary: 'Chat info, last seq and online count (a 1:1 conversation: its session token only)',
      security: ['none', 'session'],
      responses: { 200: ok('Chat') },
      errors: READ,
    }),
    chat('post', '/{code}/join', {
      summary: "Join under a username; a reserved one needs its owner's user token",
      security: ['none', 'user', 'session'],
      body: { name: 'Join', schema: inputs.joinInput },
      responses: { 200: ok('Session') },
      errors: [...WRITE, 409, 429],
    }),
    chat('get', '/{code}/messages', {
      summary: 'History: newest first below `before`, or oldest first after `after` (channel=backroom: host and members)',
      security: ['none', 'session'],
      query: inputs.historyQuery,
      responses: { 200: ok('HistoryPage') },
      errors: READ,
    }),
    chat('post', '/{code}/messages', {
      summary: 'Send a message (201; 200 for a repeated client_id)',
      security: ['session'],
      body: { name: 'SendMessage', schema: inputs.sendInput },
      responses: { 201: created('Message'), 200: ok('Message', "The sender's earlier message of this client_id") },
      errors: [...WRITE, 413, 429],
    }),
    chat('patch', '/{code}/messages/{id}', {
      summary: 'Edit a message (author or host)',
      security: ['session'],
      body: { name: 'EditMessage', schema: inputs.editInput },
      responses: { 200: ok('Message') },
      errors: [...WRITE, 413],
    }),
    chat('delete', '/{code}/messages/{id}', {
      summary: 'Delete a message (author or host): it stays as a tombstone',
      security: ['session'],
      responses: { 200: ok('Message') },
      errors: WRITE,
    }),
    chat('post', '/{code}/messages/{id}/pin', {
      summary: 'Pin a message until a time',
      security: ['session'],
      body: { name: 'Pin', schema: inputs.pinInput },
      responses: { 200: ok('Message') },
      errors: [...WRITE, 409],
    }),
    chat('get', '/{code}/pinned', {
      summary: 'Active pins',
      security: ['none', 'session'],
      responses: { 200: ok('PinnedPage') },
      errors: READ,
    }),
    chat('post', '/{code}/messages/{id}/reactions', {
      summary: 'Add a reaction',
      security: ['session'],
      body: { name: 'Reaction', schema: inputs.reactionInput },
      responses: { 200: ok('Reactions') },
      errors: WRITE,
    }),
    chat('delete', '/{code}/messages/{id}/reactions', {
      summary: 'Remove a reaction (the emoji in the body, or in ?emoji= without one)',
      security: ['session'],
      body: { name: 'Reaction', schema: inputs.reactionInput, optional: true },
      query: inputs.reactionInput.partial(),
      responses: { 200: ok('Reactions') },
      errors: WRITE,
    }),
    chat('get', '/{code}/backroom/messages', {
      summary: 'Back-room history (host and back-room members)',
      security: ['session'],
      query: inputs.historyQuery,
      responses: { 200: ok('HistoryPage') },
      errors: READ,
    }),
    chat('post', '/{code}/backroom/members', {
      summary: 'The host admits a participant to the back room',
      security: ['session'],
      body: { name: 'Join', schema: inputs.joinInput },
      responses: { 200: ok('Participant') },
      errors: WRITE,
    }),
    chat('post', '/{code}/read', {
      summary: 'Move the read marker up',
      security: ['session'],
      body: { name: 'ReadMarkerInput', schema: inputs.readInput },
      responses: { 200: ok('ReadMarker') },
      errors: WRITE,
    }),
    chat('get', '/{code}/online', {
      summary: 'Usernames online now',
      security: ['none', 'session'],
      responses: { 200: ok('Online') },
      errors: READ,
    }),

    {
      method: 'post',
      path: '/api/conversations',
      tag: 'users',
      summary: 'The 1:1 conversation with another user (201 created, 200 existing)',
      security: ['user'],
      body: { name: 'OpenConversation', schema: inputs.conversationInput },
      responses: { 201: created('OpenedConversation'), 200: ok('OpenedConversation') },
      errors: [400, 401, 404],
    },
    {
      method: 'get',
      path: '/api/me/conversations',
      tag: 'users',
      summary: "The caller's chats and partners, most recent first",
      security: ['user'],
      responses: { 200: ok('ConversationList') },
      errors: [401],
    },
    {
      method: 'get',
      path: '/api/me/unread-count',
      tag: 'users',
      summary: "Unread messages across the caller's chats",
      security: ['user'],
      responses: { 200: ok('UnreadCount') },
      errors: [401],
    },
    {
      method: 'get',
      path: '/api/me',
      tag: 'users',
      summary: "The caller's profile",
      security: ['user'],
      responses: { 200: ok('User') },
      errors: [401, 404],
    },
    {
      method: 'patch',
      path: '/api/me',
      tag: 'users',
      summary: "Change the letter case of the caller's username",
      security: ['user'],
      body: { name: 'ProfileUpdate', schema: inputs.profileUpdateInput },
      responses: { 200: ok('User') },
      errors: [400, 401, 404],
    },
    {
      method: 'get',
      path: '/api/users/{username}',
      tag: 'users',
      summary: "A user's public profile",
      security: ['user'],
      responses: { 200: ok('User') },
      errors: [400, 401, 404],
    },

    {
      method: 'get',
      path: '/api/openapi.json',
      tag: 'descriptions',
      summary: 'This document (OpenAPI 3.1)',
      security: ['none'],
      responses: { 200: ok({ mediaType: 'application/json' }) },
      errors: [],
    },
    {
      method: 'get',
      path: '/api/asyncapi.json',
      tag: 'descriptions',
      summary: 'The socket.io events (AsyncAPI 3.0)',
      security: ['none'],
      responses: { 200: ok({ mediaType: 'application/json' }) },
      errors: [],
    },

    {
      method: 'get',
      path: '/',
      tag: 'web',
      summary: 'The web chat (an HTML page on @chatpop/client)',
      security: ['none'],
      responses: { 200: ok({ mediaType: 'text/html' }) },
      errors: [],
    },
    {
      method: 'get',
      path: '/web/{name}',
      tag: 'web',
      summary: "The web chat's built assets, cached for a year",
      security: ['none'],
      responses: { 200: ok({ mediaType: 'application/octet-stream' }) },
      errors: [404],
    },

    {
      method: 'get',
      path: '/health',
      tag: 'operations',
      summary: 'Liveness: 200 while the process serves',
      security: ['none'],
      responses: { 200: ok('Health') },
      errors: [],
    },
    {
      method: 'get',
      path: '/ready',
      tag: 'operations',
      summary: 'Readiness: the database answers and its schema is current',
      security: ['none'],
      responses: {
        200: ok('Ready'),
        503: {
          body: { oneOf: ['NotReady', 'Error'] },
          description: 'Not ready: the database does not answer, or its schema is behind the code',
        },
      },
      errors: [],
    },
    {
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus text format',
      security: ['none'],
      responses: { 200: ok({ mediaType: 'text/plain' }) },
      errors: [],
    },
    {
      method: 'get',
      path: '/cache/stats',
      tag: 'operations',
      summary: 'Cache engine statistics',
      security: ['admin'],
      responses: { 200: ok('CacheStats') },
      errors: [401, 403, 503],
    },
    {
      method: 'get',
      path: '/admin/monitoring',
      tag: 'operations',
      summary: "The monitoring dashboard (a browser without a token gets the page with the refusal's status)",
      security: ['admin'],
      responses: { 200: ok({ mediaType: 'text/html' }) },
      errors: [401, 403, 503],
    },
    {
      method: 'get',
      path: '/admin/monitoring/api',
      tag: 'operations',
      summary: "The dashboard's data, every pod merged",
      security: ['admin'],
      query: viewQuery,
      responses: { 200: ok('MonitoringView') },
      errors: [400, 401, 403, 503],
    },
    {
      method: 'get',
      path: '/admin/settings',
      tag: 'operations',
      summary: 'The shared run-time settings',
      security: ['admin'],
      responses: { 200: ok('Settings') },
      errors: [401, 403, 503],
    },
    {
      method: 'post',
      path: '/admin/chats/{code}/repair',
      tag: 'operations',
      summary: "Rebuild a chat's cache windows from the database (audited)",
      security: ['admin'],
      responses: { 200: ok('AdminAction') },
      errors: [400, 401, 403, 404, 503],
    },
    {
      method: 'post',
      path: '/admin/chats/{code}/clear-cache',
      tag: 'operations',
      summary: "Drop a chat's cache keys; the next read comes from the database (audited)",
      security: ['admin'],
      responses: { 200: ok('AdminAction') },
      errors: [400, 401, 403, 404, 503],
    },
    {
      method: 'put',
      path: '/admin/settings',
      tag: 'operations',
      summary: 'Change the shared settings; every pod follows within 5 s',
      security: ['admin'],
      body: { name: 'SettingsInput', schema: settingsInput },
      responses: { 200: ok('Settings') },
      errors: [400, 401, 403, 503],
    },
  ];
}
