// Throwaway servers for tests: redis-server, Redis Cluster, PostgreSQL and the built ChatPop server.
export { freePort, isPortFree, type FreePortOptions } from './free-port';
export { startRedis, redisCommand, type RedisHandle, type StartRedisOptions, type RedisCommandOptions } from './redis-server';
export { startRedisCluster, type RedisClusterHandle, type StartRedisClusterOptions } from './redis-cluster';
export { createTestDatabase, queryDatabase, startOwnPostgres, stopPostgres, type OwnPostgres, type TestDatabase } from './postgres';
export { startServerProcess, type ServerProcess, type StartServerOptions } from './server-process';
export { cleanupAll, type Exit } from './child-processes';
export {
  STACKS,
  startStack,
  startTestApp,
  useTestApp,
  useTwoPods,
  TEST_SECRET,
  TEST_ADMIN_TOKEN,
  type Stack,
  type StackName,
  type TestApp,
} from './stacks';
export { ApiClient, uniqueName, chatWithHost, guest, type ApiResponse } from './api-client';
export { nodeFlagsHere, type NodeFlags } from './node-flags';
export { parsePrometheus, sampleValue, type PromSample } from './prometheus';
