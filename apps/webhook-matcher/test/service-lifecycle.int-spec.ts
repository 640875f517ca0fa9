import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { freePort, MatcherProcess } from './support/matcher-process';
import { useMatcherSuite } from './support/matcher-suite';

describe('health endpoints', () => {
  const suite = useMatcherSuite();

  it('live answers ok', async () => {
    const response = await fetch(`${suite.matcher.baseUrl}/health/live`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('ready reports database and broker up', async () => {
    const response = await fetch(`${suite.matcher.baseUrl}/health/ready`);
    const body = (await response.json()) as {
      status: string;
      details: Record<string, { status: string }>;
    };

    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    expect(body.details.broker.status).toBe('up');
  });
});

describe('start-up', () => {
  let environment: IsolatedEnvironment;
  const running: MatcherProcess[] = [];

  function start(env: Record<string, string>, entry?: string) {
    const matcher = MatcherProcess.start(
      {
        DATABASE_URL: environment.databaseUrl,
        AMQP_URL: environment.amqpUrl,
        LOG_LEVEL: 'info',
        ...env,
      },
      entry,
    );
    running.push(matcher);

    return matcher;
  }

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('webhook_matcher_test');
  }, 60_000);

  afterAll(async () => {
    for (const matcher of running) {
      await matcher.kill();
    }
    await environment?.dispose();
  }, 60_000);

  it('rejects pending migration when RUN_MIGRATIONS=false', async () => {
    const matcher = start({ RUN_MIGRATIONS: 'false' });

    expect(await matcher.exitCode()).toBe(1);
    expect(matcher.output.join('\n')).toMatch(
      /webhook_matcher has pending migrations; run .*migrate.* or start with RUN_MIGRATIONS=true/,
    );
  });

  it('rejects invalid MATCHER_PREFETCH with its name', async () => {
    const matcher = start({ MATCHER_PREFETCH: '0' });

    expect(await matcher.exitCode()).toBe(1);
    expect(matcher.output.join('\n')).toMatch(
      /MATCHER_PREFETCH=\\"0\\": must be a whole number from 1 to 32/,
    );
  });

  it('migrate entry applies migrations and exits', async () => {
    const migrate = start({}, 'migrate.ts');

    expect(await migrate.exitCode()).toBe(0);
    expect(migrate.output.join('\n')).toContain(
      '"migrations_applied":["CreateMatcherSchema1764892800000","KeyFanOutJobsByEventSequence1796342400000","IndexCompletedEvents1796346000000"]',
    );
  });

  it('starts migrated schema with RUN_MIGRATIONS=false', async () => {
    const port = await freePort();
    const matcher = start({ RUN_MIGRATIONS: 'false', HTTP_PORT: String(port) });

    await matcher.waitUntilReady(`http://127.0.0.1:${port}/health/ready`);

    expect(await matcher.stop()).toBe(0);
  });
});
