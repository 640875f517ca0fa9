import {
  assertNoPendingMigrations as assertNoPendingSchemaMigrations,
  MigratedSchema,
  runSchemaMigrations,
} from '@quor/platform';
import { DataSourceOptions } from 'typeorm';
import { CreateMatcherSchema1764892800000 } from './migrations/1764892800000-create-matcher-schema';
import { KeyFanOutJobsByEventSequence1796342400000 } from './migrations/1796342400000-key-fan-out-jobs-by-event-sequence';
import { IndexCompletedEvents1796346000000 } from './migrations/1796346000000-index-completed-events';

/** PostgreSQL schema that contains every table of webhook-matcher. */
export const MATCHER_SCHEMA = 'webhook_matcher';

/**
 * Connection settings of webhook-matcher. Queries are plain SQL, so no
 * entities are registered, and the schema changes only through migrations.
 */
export function matcherDataSourceOptions(
  databaseUrl: string,
  poolSize = 20,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    schema: MATCHER_SCHEMA,
    entities: [],
    migrations: [
      CreateMatcherSchema1764892800000,
      KeyFanOutJobsByEventSequence1796342400000,
      IndexCompletedEvents1796346000000,
    ],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: {
      max: poolSize,
      application_name: 'webhook-matcher',
      options: `-c search_path=${MATCHER_SCHEMA}`,
    },
  };
}

function matcherSchema(databaseUrl: string): MigratedSchema {
  return {
    options: matcherDataSourceOptions(databaseUrl),
    schema: MATCHER_SCHEMA,
    migrateCommand: 'node dist/apps/webhook-matcher/src/migrate.js',
  };
}

/** Runs pending migrations; returns the names of those applied. */
export function runMatcherMigrations(databaseUrl: string): Promise<string[]> {
  return runSchemaMigrations(matcherSchema(databaseUrl));
}

/** Throws, naming the fix, when a migration has not run yet. */
export function assertNoPendingMigrations(databaseUrl: string): Promise<void> {
  return assertNoPendingSchemaMigrations(matcherSchema(databaseUrl));
}
