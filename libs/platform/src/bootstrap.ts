import {
  INestApplication,
  Logger as NestLogger,
  NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigurationError } from './load-config';

export interface ServiceBootstrap {
  /** Service name used in logs. */
  name: string;
  port: number;
  /** Creates the Nest application; runs after configuration was loaded. */
  create: () => Promise<INestApplication>;
}

/**
 * Starts a service: builds the application with pino as its logger, starts
 * its message consumers and HTTP server, and shuts everything down in order
 * on SIGTERM or SIGINT. A configuration or start-up error stops the process
 * with exit code 1 and one log line that names the fix.
 */
export async function startService(
  bootstrap: ServiceBootstrap,
): Promise<INestApplication> {
  const app = await bootstrap.create();
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.startAllMicroservices();
  await app.listen(bootstrap.port, '0.0.0.0');
  app
    .get(Logger)
    .log(
      { service: bootstrap.name, port: bootstrap.port },
      `${bootstrap.name} started`,
    );

  return app;
}

/** Logs a start-up failure once and exits with code 1. */
export function exitOnStartupError(name: string, error: unknown): never {
  const message =
    error instanceof ConfigurationError
      ? error.message
      : `${name} failed to start: ${(error as Error).message}`;
  new NestLogger(name).error(message);
  process.exit(1);
}

/** Creates a Nest application whose logs are buffered until pino is ready. */
export async function createHttpApplication(
  module: unknown,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, {
    bufferLogs: true,
    ...options,
  });
  app.useLogger(app.get(Logger));

  return app;
}
