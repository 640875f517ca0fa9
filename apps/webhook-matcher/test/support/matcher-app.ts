import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { loadConfig } from '@quor/platform';
import { Logger } from 'nestjs-pino';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { MatcherConfig } from '../../src/config/matcher.config';
import {
  MATCHER_SCHEMA,
  runMatcherMigrations,
} from '../../src/database/data-source';
import { createMatcherApplication } from '../../src/matcher.application';

/** Configuration of a matcher under test; LOG_LEVEL defaults to error. */
export function testConfig(
  overrides: Record<string, string> = {},
): MatcherConfig {
  return loadConfig(MatcherConfig, {
    LOG_LEVEL: 'error',
    ...process.env,
    ...overrides,
  });
}

/** Drops the matcher's schema with all its data and migrates it again. */
export async function resetMatcherSchema(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${MATCHER_SCHEMA} CASCADE`);
  } finally {
    await client.end();
  }

  await runMatcherMigrations(databaseUrl);
}

/** A matcher running in the test process, with its HTTP base URL. */
export interface RunningMatcher {
  app: INestApplication;
  baseUrl: string;
}

/** Starts the matcher's consumers and an HTTP server on a free port. */
export async function startMatcher(
  config: MatcherConfig,
): Promise<RunningMatcher> {
  const app = await createMatcherApplication(config);
  app.useLogger(app.get(Logger));
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** Opens a connection whose search_path is the matcher's schema. */
export async function connectToMatcherSchema(
  databaseUrl: string,
): Promise<Client> {
  const client = new Client({
    connectionString: databaseUrl,
    options: `-c search_path=${MATCHER_SCHEMA}`,
  });
  await client.connect();

  return client;
}

/** Polls `check` every 25 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
