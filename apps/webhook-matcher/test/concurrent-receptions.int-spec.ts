import { randomUUID } from 'node:crypto';
import { EXAMPLE_IMAGE_UPDATED, REGISTRY } from './support/fixtures';
import { useMatcherSuite } from './support/matcher-suite';
import { seedSubscribedWebhooks } from './support/read-model-seed';

const PREFETCH = 32;
const COPIES = 30;
const WEBHOOKS = 3_000;
const IMAGE = 'concurrent/receptions';

/**
 * At the highest MATCHER_PREFETCH, many copies of one event arrive at once.
 * All but one wait for the event's lock, each holding a connection, while
 * the one that holds the lock needs another connection to record progress.
 * The pool is sized for that, so the fan-out completes.
 */
describe('matcher with many receptions of one event', () => {
  const suite = useMatcherSuite({
    MATCHER_PREFETCH: String(PREFETCH),
    FAN_OUT_BATCH_SIZE: '100',
  });

  beforeAll(async () => {
    await seedSubscribedWebhooks(suite.db, {
      count: WEBHOOKS,
      registry: REGISTRY,
      image: IMAGE,
      organizationPrefix: 'concurrent-org-',
    });
  }, 60_000);

  it('publishes one job per webhook', async () => {
    const body = {
      ...EXAMPLE_IMAGE_UPDATED,
      event_id: randomUUID(),
      image: IMAGE,
    };
    await Promise.all(
      Array.from({ length: COPIES }, () =>
        suite.broker.publishEvent('image.updated', body),
      ),
    );

    const jobs = await suite.driver.jobsOfCompletedEvent(body.event_id, COPIES);

    expect(jobs).toHaveLength(WEBHOOKS);
    expect(new Set(jobs.map((job) => job.webhook_id)).size).toBe(WEBHOOKS);
  }, 90_000);
});
