#!/usr/bin/env node
// Nothing imported here may load koa, ioredis or pg: telemetry must start first, because its
// instrumentations patch those modules as they are required. The app is imported after it.
import { ConfigError, loadConfig, type Config } from './config';
import { safeErrorText } from './db-error';
import { createLogger } from './logger';
import { Monitor } from './monitoring';
import { startTelemetry } from './telemetry';

/** How long shutdown waits for the last spans to reach an OTLP collector. */
const TELEMETRY_FLUSH_MS = 3000;

/** Process entry: read the configuration, build, listen, and stop gracefully on SIGTERM/SIGINT. */
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`chatpop: bad configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const monitor = new Monitor({ pod: config.podName, enabled: config.enableMonitoring });
  const telemetry = startTelemetry({ monitor });
  if (telemetry.lateModules.length) log.warn({ modules: telemetry.lateModules }, 'loaded before telemetry started: not traced');
  const { createApp } = await import('./app');
  const app = await createApp(config, log, { monitor });
  const url = await app.listen();
  log.info({ pod: config.podName, db: config.databaseUrl.split(':')[0], cache: app.cache.kind }, `listening on ${url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    timer.unref();
    await app.close();
    await Promise.race([telemetry.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, TELEMETRY_FLUSH_MS).unref())]);
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`chatpop: failed to start: ${safeErrorText(err)}\n`);
  process.exit(1);
});
