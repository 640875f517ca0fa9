import {
  INestApplication,
  Logger as NestLogger,
  NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { ConfigurationError } from './load-config';
import { exitOnShutdownSignal } from './shutdown';

export interface ServiceBootstrap {
  /** Service name used in logs. */
  name: string;
  port: number;
  /** Creates the Nest application; runs after configuration was loaded. */
  create: () => Promise<INestApplication>;
  /**
   * Bound on a graceful shutdown in milliseconds. The default is
   * DEFAULT_SHUTDOWN_TIMEOUT_MS (25 s).
   */
  shutdownTimeoutMs?: number;
}

/**
 * Starts a service: builds the application with pino as its logger, starts
 * its message consumers and HTTP server, and shuts everything down in order
 * on SIGTERM or SIGINT, then exits with code 0. A configuration or start-up
 * error stops the process with exit code 1 and one log line that names the
 * fix.
 */
export async function startService(
  bootstrap: ServiceBootstrap,
): Promise<INestApplication> {
  const app = await bootstrap.create();
  exitOnShutdownSignal(app, bootstrap.name, bootstrap.shutdownTimeoutMs);
  await app.startAllMicroservices();
  await app.listen(bootstrap.port, '0.0.0.0');
  new NestLogger('Bootstrap').log(
    { port: bootstrap.port },
    `${bootstrap.name} started`,
  );

  return app;
}

/**
 * Logs a start-up failure as one JSON line, in the format of the service's
 * other logs, and exits with code 1. It writes through pino directly
 * because the application's logger may not exist yet.
 */
export function exitOnStartupError(name: string, error: unknown): never {
  const logger = pino({ base: { service: name } });
  if (error instanceof ConfigurationError) {
    logger.error({ variables: error.variables }, error.message);
  } else {
    logger.error(
      { err: error },
      `${name} failed to start: ${(error as Error).message}`,
    );
  }
  process.exit(1);
}

/** Creates a Nest application whose logs are buffered until pino is ready. */
export async function createHttpApplication(
  module: unknown,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  // A provider that fails to start, such as a broker connection, then
  // reaches exitOnStartupError, which logs one JSON line. With Nest's
  // defaults, Nest would print its own coloured text and exit.
  const app = await NestFactory.create(module as never, {
    bufferLogs: true,
    abortOnError: false,
    logger: false,
    ...options,
  });
  app.useLogger(app.get(Logger));

  return app;
}
