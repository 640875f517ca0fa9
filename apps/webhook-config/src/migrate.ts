import 'reflect-metadata';
import { exitOnStartupError, loadConfig } from '@quor/platform';
import { ConfigServiceConfig } from './config/config-service.config';
import { runConfigMigrations } from './database/data-source';

/** Runs pending migrations of webhook-config and exits; used by the migrations Job. */
async function migrate(): Promise<void> {
  const { DATABASE_URL } = loadConfig(ConfigServiceConfig, {
    JWT_SECRET: 'x'.repeat(32),
    ...process.env,
  });
  const applied = await runConfigMigrations(DATABASE_URL);
  console.log(
    JSON.stringify({ service: 'webhook-config', migrations_applied: applied }),
  );
}

migrate().catch((error) => exitOnStartupError('webhook-config-migrate', error));
