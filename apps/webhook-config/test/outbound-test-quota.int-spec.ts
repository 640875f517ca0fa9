import { randomUUID } from 'node:crypto';
import { MaintenanceScheduler } from '../src/maintenance/maintenance.scheduler';
import { ConfigTestApp, validWebhook } from './config-test-app';

const LIMIT = 2;

/**
 * Test connections and pings share a per-organization limit per minute.
 * Pings are used to fill it, because they are queued without waiting for a
 * delivery worker; no worker consumes them in this suite.
 */
describe('limit on test connections and pings', () => {
  const harness = new ConfigTestApp();
  let counter = 0;

  beforeAll(async () => {
    await harness.start({ OUTBOUND_TESTS_PER_MINUTE: String(LIMIT) });
  });

  afterAll(async () => {
    await harness.stop();
  });

  // The count restarts each calendar minute, so a test that began in the
  // last seconds of one would see its requests split over two windows.
  beforeEach(async () => {
    const intoMinuteMs = Date.now() % 60_000;
    if (intoMinuteMs > 55_000) {
      await new Promise((resolve) =>
        setTimeout(resolve, 60_000 - intoMinuteMs + 100),
      );
    }
  });

  async function webhookOfNewOrganization() {
    const organization = `quota-${Date.now().toString(36)}-${++counter}`;
    await harness.setPlan(organization, 'enterprise');
    const created = await harness.request('POST', '/v1/webhooks', {
      organization,
      body: validWebhook(),
    });

    return { organization, webhookId: created.body.id as string };
  }

  async function ping(organization: string, webhookId: string) {
    return harness.request('POST', `/v1/webhooks/${webhookId}/ping`, {
      organization,
    });
  }

  it('rejects the ping over the limit with 429', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    for (let index = 0; index < LIMIT; index += 1) {
      expect((await ping(organization, webhookId)).status).toBe(202);
    }

    const rejected = await ping(organization, webhookId);

    expect(rejected.status).toBe(429);
    expect(rejected.body.message).toMatch(
      /^the organization sent 2 test connections and pings this minute, the most allowed; try again in \d+ s$/,
    );
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(rejected.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('counts test connections in the same limit', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    for (let index = 0; index < LIMIT; index += 1) {
      await ping(organization, webhookId);
    }

    const rejected = await harness.request(
      'POST',
      '/v1/webhooks/test-connection',
      { organization, body: { url: 'https://hooks.example.com/quor' } },
    );

    expect(rejected.status).toBe(429);
  });

  it('keeps other organizations apart', async () => {
    const first = await webhookOfNewOrganization();
    const second = await webhookOfNewOrganization();
    for (let index = 0; index <= LIMIT; index += 1) {
      await ping(first.organization, first.webhookId);
    }

    expect((await ping(second.organization, second.webhookId)).status).toBe(
      202,
    );
  });

  it('deletes counts older than an hour', async () => {
    const organization = `quota-old-${++counter}`;
    await harness.dataSource.query(
      `INSERT INTO outbound_test_quota (organization_id, window_start, used)
       VALUES ($1, now() - interval '61 minutes', 5),
              ($1, now() - interval '59 minutes', 5)`,
      [organization],
    );

    await harness.app.get(MaintenanceScheduler).runOnce(new Date());

    const rows: { age_minutes: number }[] = await harness.dataSource.query(
      `SELECT round(extract(epoch FROM now() - window_start) / 60)::int
         AS age_minutes
       FROM outbound_test_quota WHERE organization_id = $1`,
      [organization],
    );
    expect(rows).toEqual([{ age_minutes: 59 }]);
  });

  it('does not count a rejected ping', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    for (let index = 0; index <= LIMIT; index += 1) {
      expect((await ping(organization, randomUUID())).status).toBe(404);
    }

    expect((await ping(organization, webhookId)).status).toBe(202);
  });
});
