export { createHttpApp, BODY_LIMIT, type HttpDeps } from './create-http-app';
export { requireAdmin, requireSession, requireUser, optionalUser, bearer, type AuthState } from './auth-middleware';
export { databaseUp } from './routes/ops-routes';
export { requestScope, currentRequest } from './request-scope';
