import { DataSource, DataSourceOptions } from 'typeorm';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { SubscriptionEntity } from '../organizations/subscription.entity';
import { OutboxEntity } from '../outbox/outbox.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { CreateConfigSchema1764806400000 } from './migrations/1764806400000-create-config-schema';

/** PostgreSQL schema that holds every table of webhook-config. */
export const CONFIG_SCHEMA = 'webhook_config';

export function configDataSourceOptions(
  databaseUrl: string,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    schema: CONFIG_SCHEMA,
    entities: [
      OrganizationEntity,
      SubscriptionEntity,
      WebhookEntity,
      DeliveryEntity,
      OutboxEntity,
    ],
    migrations: [CreateConfigSchema1764806400000],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: {
      max: 20,
      application_name: 'webhook-config',
      options: `-c search_path=${CONFIG_SCHEMA}`,
    },
  };
}

/**
 * Creates the schema when it is missing and runs pending migrations. The
 * schema must exist first because TypeORM keeps its migrations table there.
 */
export async function runConfigMigrations(
  databaseUrl: string,
): Promise<string[]> {
  const dataSource = new DataSource(configDataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${CONFIG_SCHEMA}`);
    const applied = await dataSource.runMigrations();

    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Stops start-up when a migration has not run, for deployments that run
 * migrations as a separate job.
 */
export async function assertNoPendingMigrations(
  databaseUrl: string,
): Promise<void> {
  const dataSource = new DataSource(configDataSourceOptions(databaseUrl));
  await dataSource.initialize();
  try {
    if (await dataSource.showMigrations()) {
      throw new Error(
        'database schema webhook_config has pending migrations; run ' +
          '`node dist/apps/webhook-config/src/migrate.js` or start with RUN_MIGRATIONS=true',
      );
    }
  } finally {
    await dataSource.destroy();
  }
}
