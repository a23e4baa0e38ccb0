export { createHttpApp, BODY_LIMIT, type HttpDeps } from './create-http-app';
export { requireAdmin, requireSession, requireUser, optionalUser, bearer, tokenFingerprint, type AuthState, type AdminState } from './auth-middleware';
export { databaseUp } from './routes/ops-routes';
export { monitoringRoutes, type AdminActions } from './routes/monitoring-routes';
export { userRoutes } from './routes/user-routes';
export { onlineRoutes } from './routes/online-routes';
export { requestScope, currentRequest } from './request-scope';
