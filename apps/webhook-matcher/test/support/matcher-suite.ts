import { Client } from 'pg';
import { MatcherConfig } from '../../src/config/matcher.config';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { MatcherDriver } from './matcher-driver';
import {
  connectToMatcherSchema,
  resetMatcherSchema,
  RunningMatcher,
  startMatcher,
  testConfig,
} from './matcher-app';
import { TestBroker } from './test-broker';

/** What a suite's tests use; filled in by its beforeAll. */
export interface MatcherSuite {
  environment: IsolatedEnvironment;
  config: MatcherConfig;
  matcher: RunningMatcher;
  broker: TestBroker;
  db: Client;
  driver: MatcherDriver;
}

/**
 * Registers hooks that give the suite its own database and virtual host,
 * a freshly migrated `webhook_matcher` schema and a matcher running in
 * this process, and that remove all of it afterwards.
 */
export function useMatcherSuite(
  overrides: Record<string, string> = {},
): MatcherSuite {
  const suite = {} as MatcherSuite;

  beforeAll(async () => {
    suite.environment = await createIsolatedEnvironment('webhook_matcher_test');
    suite.config = testConfig({
      DATABASE_URL: suite.environment.databaseUrl,
      AMQP_URL: suite.environment.amqpUrl,
      ...overrides,
    });
    await resetMatcherSchema(suite.config.DATABASE_URL);
    suite.broker = await TestBroker.connect(suite.config.AMQP_URL);
    suite.matcher = await startMatcher(suite.config);
    suite.db = await connectToMatcherSchema(suite.config.DATABASE_URL);
    suite.driver = new MatcherDriver(suite.broker, suite.db);
  }, 60_000);

  afterAll(async () => {
    await suite.matcher?.app.close();
    await suite.broker?.close();
    await suite.db?.end();
    await suite.environment?.dispose();
  }, 60_000);

  return suite;
}
