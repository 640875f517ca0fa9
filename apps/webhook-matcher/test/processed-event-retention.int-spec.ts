import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  matcherDataSourceOptions,
  runMatcherMigrations,
} from '../src/database/data-source';
import { ProcessedEventRetention } from '../src/fan-out/processed-event-retention';
import { connectToMatcherSchema, testConfig } from './support/matcher-app';

const NOW = new Date('2026-12-04T12:00:00Z');
const DAY_MS = 24 * 3600 * 1000;

function daysBefore(days: number): Date {
  return new Date(NOW.getTime() - days * DAY_MS);
}

describe('ProcessedEventRetention', () => {
  let environment: IsolatedEnvironment;
  let db: Client;
  let dataSource: DataSource;
  let retention: ProcessedEventRetention;

  async function addEvent(
    eventId: string,
    matchedAt: Date,
    completedAt: Date | null,
  ): Promise<void> {
    await db.query(
      `INSERT INTO processed_event (event_id, registry, image, job_count,
         receive_count, matched_at, completed_at)
       VALUES ($1, 'registry.quor.dev', 'default/image', 1, 1, $2, $3)`,
      [eventId, matchedAt, completedAt],
    );
  }

  async function remainingEvents(): Promise<string[]> {
    const { rows } = await db.query<{ event_id: string }>(
      'SELECT event_id FROM processed_event ORDER BY event_id',
    );

    return rows.map((row) => row.event_id);
  }

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('matcher_retention');
    await runMatcherMigrations(environment.databaseUrl);
    db = await connectToMatcherSchema(environment.databaseUrl);
    dataSource = new DataSource(
      matcherDataSourceOptions(environment.databaseUrl),
    );
    await dataSource.initialize();
    retention = new ProcessedEventRetention(
      dataSource,
      testConfig({ PROCESSED_EVENT_RETENTION_DAYS: '30' }),
    );
  }, 60_000);

  beforeEach(async () => {
    await db.query('DELETE FROM processed_event');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.end();
    await environment?.dispose();
  });

  it('deletes events completed before the period', async () => {
    await addEvent('completed-31-days-ago', daysBefore(31), daysBefore(31));
    await addEvent('completed-29-days-ago', daysBefore(29), daysBefore(29));

    const deleted = await retention.prune(NOW);

    expect(deleted).toBe(1);
    expect(await remainingEvents()).toEqual(['completed-29-days-ago']);
  });

  it('keeps old fan-out still in progress', async () => {
    await addEvent('in-progress-40-days', daysBefore(40), null);

    expect(await retention.prune(NOW)).toBe(0);
    expect(await remainingEvents()).toEqual(['in-progress-40-days']);
  });

  it('deletes more than one batch', async () => {
    await db.query(
      `INSERT INTO processed_event (event_id, registry, image, job_count,
         receive_count, matched_at, completed_at)
       SELECT 'old-' || n, 'registry.quor.dev', 'default/image', 1, 1, $1, $1
       FROM generate_series(1, 10001) AS n`,
      [daysBefore(60)],
    );

    expect(await retention.prune(NOW)).toBe(10_001);
    expect(await remainingEvents()).toEqual([]);
  });
});
