import { INestApplication } from '@nestjs/common';
import { runSchemaMigrations } from '@quor/platform';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  MATCHER_SCHEMA,
  matcherDataSourceOptions,
  runMatcherMigrations,
} from '../src/database/data-source';
import { CreateMatcherSchema1764892800000 } from '../src/database/migrations/1764892800000-create-matcher-schema';
import { EXAMPLE_IMAGE_UPDATED, REGISTRY } from './support/fixtures';
import {
  connectToMatcherSchema,
  startMatcher,
  testConfig,
  waitFor,
} from './support/matcher-app';
import { MatcherDriver } from './support/matcher-driver';
import { TestBroker } from './support/test-broker';

const IMAGE = 'migration/resume';
const ORGANIZATION = 'org-migration';
const IN_PROGRESS = randomUUID();
const COMPLETED = randomUUID();
// Webhook ids in the order the cursor reads them.
const WEBHOOK_A = '00000000-0000-4000-8000-00000000000a';
const WEBHOOK_B = '00000000-0000-4000-8000-00000000000b';

/**
 * The release before `fan_out_target` stored job rows in `fan_out_job`,
 * keyed by event id. The migration only adds, so that release keeps
 * working during a rollout, and the new release moves the rows of a
 * fan-out in progress when it resumes it.
 */
describe('fan_out_target migration', () => {
  let environment: IsolatedEnvironment;
  let db: Client;
  let broker: TestBroker;
  let matcher: INestApplication | undefined;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('matcher_migration');
    // The schema as the first migration left it, with one fan-out in
    // progress (webhook A published, B not yet) and one completed.
    await runSchemaMigrations({
      options: {
        ...matcherDataSourceOptions(environment.databaseUrl),
        migrations: [CreateMatcherSchema1764892800000],
      },
      schema: MATCHER_SCHEMA,
      migrateCommand: 'not used',
    });
    db = await connectToMatcherSchema(environment.databaseUrl);
    await db.query(
      `INSERT INTO webhook (id, organization_id, url, secrets, event_types,
         all_images, enabled, deleted, version, changed_at)
       SELECT id, $1, 'https://127.0.0.1:9/hooks/' || id,
         ARRAY['whsec_dGVzdC1zaWduaW5nLXNlY3JldA=='], ARRAY['image.updated'],
         true, true, false, 1, now()
       FROM unnest($2::uuid[]) AS id`,
      [ORGANIZATION, [WEBHOOK_A, WEBHOOK_B]],
    );
    await db.query(
      `INSERT INTO processed_event (event_id, registry, image, job_count,
         receive_count, matched_at, published_through, completed_at)
       VALUES ($1, $3, $4, 2, 1, now(), $5, NULL),
              ($2, $3, $4, 0, 1, now(), NULL, now())`,
      [IN_PROGRESS, COMPLETED, REGISTRY, IMAGE, WEBHOOK_A],
    );
    await db.query(
      `INSERT INTO fan_out_job (event_id, webhook_id)
       VALUES ($1, $2), ($1, $3)`,
      [IN_PROGRESS, WEBHOOK_A, WEBHOOK_B],
    );

    await runMatcherMigrations(environment.databaseUrl);
    broker = await TestBroker.connect(environment.amqpUrl);
  }, 60_000);

  afterAll(async () => {
    await matcher?.close();
    await broker?.close();
    await db?.end();
    await environment?.dispose();
  });

  it('keeps the rows of the previous release', async () => {
    const { rows } = await db.query<{ webhook_id: string }>(
      'SELECT webhook_id FROM fan_out_job WHERE event_id = $1 ORDER BY 1',
      [IN_PROGRESS],
    );

    expect(rows.map((row) => row.webhook_id)).toEqual([WEBHOOK_A, WEBHOOK_B]);
  });

  it('numbers every existing event', async () => {
    const { rows } = await db.query<{ seq: string | null }>(
      'SELECT seq FROM processed_event',
    );

    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.seq !== null)).toBe(true);
  });

  it('resumes fan-out of the previous release', async () => {
    matcher = (
      await startMatcher(
        testConfig({
          DATABASE_URL: environment.databaseUrl,
          AMQP_URL: environment.amqpUrl,
          RUN_MIGRATIONS: 'false',
        }),
      )
    ).app;
    const driver = new MatcherDriver(broker, db);

    await broker.publishEvent('image.updated', {
      ...EXAMPLE_IMAGE_UPDATED,
      event_id: IN_PROGRESS,
      image: IMAGE,
    });
    // The resumed fan-out publishes only the job after the mark.
    await waitFor('the resumed fan-out to complete', async () => {
      const progress = await driver.eventProgress(IN_PROGRESS);

      return progress?.completed_at ? progress : null;
    });
    await broker.drainJobs();

    expect(broker.jobsFor(IN_PROGRESS).map((job) => job.webhook_id)).toEqual([
      WEBHOOK_B,
    ]);
    const { rows } = await db.query(
      'SELECT 1 FROM fan_out_job WHERE event_id = $1',
      [IN_PROGRESS],
    );
    expect(rows).toHaveLength(0);
  }, 60_000);
});
