import { runSchemaMigrations } from '@quor/platform';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { Client } from 'pg';
import {
  MATCHER_SCHEMA,
  matcherDataSourceOptions,
  runMatcherMigrations,
} from '../src/database/data-source';
import { CreateMatcherSchema1764892800000 } from '../src/database/migrations/1764892800000-create-matcher-schema';
import { connectToMatcherSchema } from './support/matcher-app';

const IN_PROGRESS = 'evt-in-progress';
const COMPLETED = 'evt-completed';
const WEBHOOK_A = '00000000-0000-4000-8000-00000000000a';
const WEBHOOK_B = '00000000-0000-4000-8000-00000000000b';

describe('fan_out_job keyed by event sequence', () => {
  let environment: IsolatedEnvironment;
  let db: Client;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('matcher_migration');
    // The schema as the first migration left it, with one fan-out in
    // progress and one completed.
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
      `INSERT INTO processed_event (event_id, registry, image, job_count,
         receive_count, matched_at, published_through, completed_at)
       VALUES ($1, 'r', 'i', 2, 1, now(), $3, NULL),
              ($2, 'r', 'i', 0, 1, now(), NULL, now())`,
      [IN_PROGRESS, COMPLETED, WEBHOOK_A],
    );
    await db.query(
      `INSERT INTO fan_out_job (event_id, webhook_id)
       VALUES ($1, $2), ($1, $3)`,
      [IN_PROGRESS, WEBHOOK_A, WEBHOOK_B],
    );

    await runMatcherMigrations(environment.databaseUrl);
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await environment?.dispose();
  });

  it('moves in-progress job rows over', async () => {
    const { rows } = await db.query<{ event_id: string; webhook_id: string }>(
      `SELECT e.event_id, j.webhook_id
       FROM fan_out_job j JOIN processed_event e ON e.seq = j.event_seq
       ORDER BY j.webhook_id`,
    );

    expect(rows).toEqual([
      { event_id: IN_PROGRESS, webhook_id: WEBHOOK_A },
      { event_id: IN_PROGRESS, webhook_id: WEBHOOK_B },
    ]);
  });

  it('numbers every existing event', async () => {
    const { rows } = await db.query<{ seq: string }>(
      'SELECT seq FROM processed_event ORDER BY seq',
    );

    expect(new Set(rows.map((row) => row.seq)).size).toBe(2);
  });

  it('keeps the published mark', async () => {
    const { rows } = await db.query<{ published_through: string }>(
      'SELECT published_through FROM processed_event WHERE event_id = $1',
      [IN_PROGRESS],
    );

    expect(rows[0].published_through).toBe(WEBHOOK_A);
  });
});
