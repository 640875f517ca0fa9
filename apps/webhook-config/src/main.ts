import 'reflect-metadata';
import { exitOnStartupError, loadConfig, startService } from '@quor/platform';
import { ConfigServiceConfig } from './config/config-service.config';
import { createConfigApplication } from './config-application';
import {
  assertNoPendingMigrations,
  runConfigMigrations,
} from './database/data-source';

async function main(): Promise<void> {
  const config = loadConfig(ConfigServiceConfig, process.env);
  if (config.RUN_MIGRATIONS) {
    await runConfigMigrations(config.DATABASE_URL);
  } else {
    await assertNoPendingMigrations(config.DATABASE_URL);
  }

  await startService({
    name: 'webhook-config',
    port: config.HTTP_PORT,
    create: () => createConfigApplication(config),
  });
}

main().catch((error) => exitOnStartupError('webhook-config', error));
