export { createHttpApp, BODY_LIMIT, type HttpDeps } from './create-http-app';
export {
  requireAdmin,
  requireSession,
  requireUser,
  optionalUser,
  bearer,
  tokenFingerprint,
  type AuthState,
  type AdminState,
} from './auth-middleware';
export { databaseUp } from './routes/ops-routes';
export { monitoringRoutes, viewQuery, settingsInput, type AdminActions } from './routes/monitoring-routes';
export * as responses from './responses';
export { userRoutes } from './routes/user-routes';
export { onlineRoutes } from './routes/online-routes';
export { webRoutes } from './routes/web-routes';
export { requestScope, currentRequest } from './request-scope';
