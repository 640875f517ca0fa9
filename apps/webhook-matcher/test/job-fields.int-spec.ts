import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { runMatcherMigrations } from '../src/database/data-source';
import { jobFieldsJson } from '../src/fan-out/delivery-job';
import { JOB_FIELDS_SQL } from '../src/fan-out/fan-out.repository';
import { connectToMatcherSchema } from './support/matcher-app';

/** Every character below U+0020 that PostgreSQL text can hold (not NUL). */
const CONTROL_CHARACTERS = Array.from({ length: 31 }, (_, index) =>
  String.fromCharCode(index + 1),
).join('');

const URLS: [string, string][] = [
  ['plain', 'https://hooks.example.com/quor'],
  ['control characters', `https://hooks.example.com/${CONTROL_CHARACTERS}`],
  [
    'quotes and backslashes',
    'https://hooks.example.com/"quoted"\\back\\slash/',
  ],
  [
    'non-ASCII',
    'https://hooks.example.com/ünïcödé/日本/😀?q=\u2028\u2029\u007f',
  ],
];

/**
 * The fan-out cursor has PostgreSQL serialize a webhook's job fields, and
 * the job body must be the same as the one JSON.stringify would give.
 */
describe('job fields built by PostgreSQL', () => {
  let environment: IsolatedEnvironment;
  let db: Client;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('matcher_job_fields');
    await runMatcherMigrations(environment.databaseUrl);
    db = await connectToMatcherSchema(environment.databaseUrl);
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await environment?.dispose();
  });

  it.each(URLS)('serializes %s URL like JSON', async (_label, url) => {
    const webhook = {
      webhook_id: randomUUID(),
      organization_id: 'org-job-fields',
      url,
      secrets: ['whsec_bmV3', 'whsec_b2xk'],
    };
    await db.query(
      `INSERT INTO webhook (id, organization_id, url, secrets, event_types,
         all_images, enabled, deleted, version, changed_at)
       VALUES ($1, $2, $3, $4, ARRAY['image.updated'], true, true, false, 1,
         now())`,
      [webhook.webhook_id, webhook.organization_id, url, webhook.secrets],
    );

    const { rows } = await db.query<{ fields: string }>(
      `SELECT ${JOB_FIELDS_SQL} AS fields FROM webhook w WHERE w.id = $1`,
      [webhook.webhook_id],
    );

    expect(rows[0].fields).toBe(jobFieldsJson(webhook));
  });
});
