import {
  assertNoPendingMigrations as assertNoPendingSchemaMigrations,
  MigratedSchema,
  runSchemaMigrations,
} from '@quor/platform';
import { DataSourceOptions } from 'typeorm';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { SubscriptionEntity } from '../organizations/subscription.entity';
import { OutboxEntity } from '../outbox/outbox.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { CreateConfigSchema1764806400000 } from './migrations/1764806400000-create-config-schema';
import { CreateOutboundTestQuota1796349600000 } from './migrations/1796349600000-create-outbound-test-quota';

/** PostgreSQL schema that contains every table of webhook-config. */
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
    migrations: [
      CreateConfigSchema1764806400000,
      CreateOutboundTestQuota1796349600000,
    ],
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

function configSchema(databaseUrl: string): MigratedSchema {
  return {
    options: configDataSourceOptions(databaseUrl),
    schema: CONFIG_SCHEMA,
    migrateCommand: 'node dist/apps/webhook-config/src/migrate.js',
  };
}

/** Runs pending migrations; returns the names of those applied. */
export function runConfigMigrations(databaseUrl: string): Promise<string[]> {
  return runSchemaMigrations(configSchema(databaseUrl));
}

/** Throws, naming the fix, when a migration has not run yet. */
export function assertNoPendingMigrations(databaseUrl: string): Promise<void> {
  return assertNoPendingSchemaMigrations(configSchema(databaseUrl));
}
