import { DataSource, DataSourceOptions } from 'typeorm';
import { CreateMatcherSchema1764892800000 } from './migrations/1764892800000-create-matcher-schema';

/** PostgreSQL schema that contains every table of webhook-matcher. */
export const MATCHER_SCHEMA = 'webhook_matcher';

/**
 * Connection settings of webhook-matcher. Queries are plain SQL, so no
 * entities are registered, and the schema changes only through migrations.
 */
export function matcherDataSourceOptions(
  databaseUrl: string,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    schema: MATCHER_SCHEMA,
    entities: [],
    migrations: [CreateMatcherSchema1764892800000],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: {
      max: 20,
      application_name: 'webhook-matcher',
      options: `-c search_path=${MATCHER_SCHEMA}`,
    },
  };
}

/**
 * Creates the schema when it is missing, then runs all pending migrations
 * in one transaction. Returns the names of the migrations applied.
 */
export async function runMatcherMigrations(
  databaseUrl: string,
): Promise<string[]> {
  const dataSource = new DataSource(matcherDataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    // TypeORM keeps its migrations table in the schema, so the schema must
    // exist before TypeORM looks for that table.
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${MATCHER_SCHEMA}`);
    const applied = await dataSource.runMigrations({ transaction: 'all' });

    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Throws when a migration has not run yet, for deployments that run
 * migrations as a separate step (RUN_MIGRATIONS=false).
 */
export async function assertNoPendingMigrations(
  databaseUrl: string,
): Promise<void> {
  const dataSource = new DataSource(matcherDataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    if (await hasPendingMigrations(dataSource)) {
      throw new Error(
        `database schema ${MATCHER_SCHEMA} has pending migrations; run ` +
          '`node dist/apps/webhook-matcher/src/migrate.js` or start with ' +
          'RUN_MIGRATIONS=true',
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

async function hasPendingMigrations(dataSource: DataSource): Promise<boolean> {
  // showMigrations() creates the migrations table, which fails while the
  // schema is missing, so a missing table is checked first.
  const [{ table }] = (await dataSource.query(
    'SELECT to_regclass($1) AS table',
    [`${MATCHER_SCHEMA}.migrations`],
  )) as { table: string | null }[];
  if (table === null) {
    return true;
  }

  return dataSource.showMigrations();
}
