// Machine-readable API descriptions (docs/contract.md): OpenAPI 3.1 for REST, AsyncAPI 3.0 for
// socket.io, generated from the zod schemas the server validates with.
export { buildOpenApi } from './openapi';
export { buildAsyncApi, CLIENT_EVENTS, SERVER_EVENTS } from './asyncapi';
export { apiSchemas, type ApiSchemas } from './schemas';
export { apiDocsRoutes } from './api-docs-routes';
export { restOperations, type RestOperation } from './rest-operations';
