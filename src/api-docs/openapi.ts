import { ERROR_STATUS } from '../errors';
import { toComponents, type JsonSchema } from './json-schema';
import { pathParams, restOperations, type RestOperation, type RestResponse, type Security } from './rest-operations';
import { apiSchemas, REST_COMPONENTS, SHARED_COMPONENTS, type ApiSchemas } from './schemas';

export const API_TITLE = 'ChatPop';
export const API_VERSION = '0.1.0';

const ref = (name: string) => `#/components/schemas/${name}`;
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** `{ user: [] }` per scheme; `none` makes the token optional (an empty requirement). */
const SCHEMES: Record<Exclude<Security, 'none'>, string> = { user: 'userToken', session: 'sessionToken', admin: 'adminToken' };

/** The codes an error status carries (src/errors.ts); admin_disabled only on admin routes. */
function codesOf(status: number, admin: boolean): string[] {
  return Object.entries(ERROR_STATUS)
    .filter(([code, s]) => s === status && (admin || code !== 'admin_disabled'))
    .map(([code]) => code);
}

function response(r: RestResponse): JsonSchema {
  if (!r.body) return { description: r.description };
  if (typeof r.body === 'string') return { description: r.description, content: json({ $ref: ref(r.body) }) };
  if ('oneOf' in r.body) return { description: r.description, content: json({ anyOf: r.body.oneOf.map((n) => ({ $ref: ref(n) })) }) };
  return {
    description: r.description,
    content: { [r.body.mediaType]: { schema: r.body.mediaType === 'application/json' ? { type: 'object' } : { type: 'string' } } },
  };
}

const errorResponse = (status: number, admin: boolean) => ({
  description: `Error: ${codesOf(status, admin).join(', ')}`,
  content: json({ $ref: ref('Error') }),
});

const opId = (op: RestOperation) =>
  op.method +
  op.path
    .split(/[/.{}-]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');

/** The OpenAPI 3.1 document of every REST route, generated from the schemas the routes parse. */
export function buildOpenApi(schemas: ApiSchemas = apiSchemas): JsonSchema {
  const ops = restOperations();
  const named: Record<string, import('zod').ZodType> = {};
  for (const k of [...SHARED_COMPONENTS, ...REST_COMPONENTS]) named[k] = schemas[k];
  for (const p of Object.values(pathParams)) named[p.name] = p.schema;
  for (const op of ops) {
    if (op.body) named[op.body.name] = op.body.schema;
    if (op.query) named[`${opId(op)}Query`] = op.query;
  }
  const components = toComponents(named, 'draft-2020-12', ref);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const parameters: JsonSchema[] = [];
    for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) {
      const p = pathParams[name];
      parameters.push({ name, in: 'path', required: true, description: p.description, schema: { $ref: ref(p.name) } });
    }
    if (op.query) {
      // Query parameters are the query schema's properties; that schema itself is no component.
      const q = components[`${opId(op)}Query`] as { properties: Record<string, JsonSchema>; required?: string[] };
      delete components[`${opId(op)}Query`];
      for (const [name, schema] of Object.entries(q.properties))
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) responses[status] = response(r);
    for (const status of op.errors) responses[status] = errorResponse(status, op.security.includes('admin'));
    responses.default = { description: 'Any other failure (500 internal, 503 unavailable, …)', content: json({ $ref: ref('Error') }) };
    const security = op.security.map((s) => (s === 'none' ? {} : { [SCHEMES[s]]: [] }));
    (paths[op.path] ??= {})[op.method] = {
      operationId: opId(op),
      tags: [op.tag],
      summary: op.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: !op.body.optional, content: json({ $ref: ref(op.body.name) }) } } : {}),
      responses,
      ...(op.security.length === 1 && op.security[0] === 'none' ? {} : { security }),
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description: 'ChatPop REST API (docs/contract.md). Every 4xx/5xx body is the Error object. The socket.io events: /api/asyncapi.json.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(ops.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: "a registered user's token (POST /api/auth/register, /login)" },
        sessionToken: { type: 'http', scheme: 'bearer', description: 'a chat session token (POST /api/chats/{code}/join)' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (staff routes; 503 admin_disabled while unset)' },
      },
    },
  };
}
