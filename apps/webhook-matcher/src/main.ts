import 'reflect-metadata';
import { exitOnStartupError, loadConfig, startService } from '@quor/platform';
import { SERVICE_NAME } from './app.module';
import { MatcherConfig } from './config/matcher.config';
import {
  assertNoPendingMigrations,
  runMatcherMigrations,
} from './database/data-source';
import { createMatcherApplication } from './matcher.application';

async function main(): Promise<void> {
  const config = loadConfig(MatcherConfig, process.env);
  if (config.RUN_MIGRATIONS) {
    await runMatcherMigrations(config.DATABASE_URL);
  } else {
    await assertNoPendingMigrations(config.DATABASE_URL);
  }

  await startService({
    name: SERVICE_NAME,
    port: config.HTTP_PORT,
    create: () => createMatcherApplication(config),
  });
}

main().catch((error) => exitOnStartupError(SERVICE_NAME, error));
