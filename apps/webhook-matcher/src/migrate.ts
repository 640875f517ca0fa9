import 'reflect-metadata';
import { exitOnStartupError, loadConfig } from '@quor/platform';
import { MatcherConfig } from './config/matcher.config';
import { runMatcherMigrations } from './database/data-source';

/** Runs pending migrations of webhook-matcher and exits. */
async function migrate(): Promise<void> {
  const { DATABASE_URL } = loadConfig(MatcherConfig, process.env);
  const applied = await runMatcherMigrations(DATABASE_URL);
  console.log(
    JSON.stringify({
      service: 'webhook-matcher',
      migrations_applied: applied,
    }),
  );
}

migrate().catch((error) =>
  exitOnStartupError('webhook-matcher-migrate', error),
);
