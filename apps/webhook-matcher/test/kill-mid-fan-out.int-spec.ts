import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EXAMPLE_IMAGE_UPDATED, REGISTRY } from './support/fixtures';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import {
  connectToMatcherSchema,
  resetMatcherSchema,
  waitFor,
} from './support/matcher-app';
import { MatcherDriver } from './support/matcher-driver';
import { freePort, MatcherProcess } from './support/matcher-process';
import { seedSubscribedWebhooks } from './support/read-model-seed';
import { TestBroker } from './support/test-broker';

const WEBHOOKS = 20_000;
const BATCH_SIZE = 500;
const IMAGE = 'kill/fan-out';

interface LogRecord {
  level: number;
  msg?: string;
  reason?: string;
}

/** Parses the JSON log lines of `matcher`, skipping any other line. */
function logRecords(matcher: MatcherProcess): LogRecord[] {
  return matcher.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return [];
    }
  });
}

/** Level of pino's warn lines; error lines have 50 and above. */
const WARN_LEVEL = 40;

interface Progress {
  published: number;
  total: number;
}

describe('matcher killed mid fan-out', () => {
  let environment: IsolatedEnvironment;
  let db: Client;
  let broker: TestBroker;
  let driver: MatcherDriver;
  const running: MatcherProcess[] = [];

  async function startMatcher(
    env: Record<string, string> = {},
  ): Promise<MatcherProcess> {
    const port = await freePort();
    const matcher = MatcherProcess.start({
      DATABASE_URL: environment.databaseUrl,
      AMQP_URL: environment.amqpUrl,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      FAN_OUT_BATCH_SIZE: String(BATCH_SIZE),
      ...env,
    });
    running.push(matcher);
    await matcher.waitUntilReady(`http://127.0.0.1:${port}/health/ready`);

    return matcher;
  }

  async function progress(eventId: string): Promise<Progress> {
    const result = await db.query<Progress>(
      `SELECT count(*) FILTER (
           WHERE j.webhook_id <= e.published_through)::int AS published,
         count(*)::int AS total
       FROM fan_out_target j JOIN processed_event e ON e.seq = j.event_seq
       WHERE e.event_id = $1`,
      [eventId],
    );

    return result.rows[0];
  }

  /** Publishes event `eventId` and waits until `batches` batches are marked published. */
  async function publishUntilBatches(
    eventId: string,
    batches: number,
  ): Promise<void> {
    await broker.publishEvent('image.updated', {
      ...EXAMPLE_IMAGE_UPDATED,
      event_id: eventId,
      image: IMAGE,
    });
    await waitFor(
      'first published batches',
      async () => (await progress(eventId)).published >= batches * BATCH_SIZE,
      60_000,
    );
  }

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('webhook_matcher_test');
    await resetMatcherSchema(environment.databaseUrl);
    db = await connectToMatcherSchema(environment.databaseUrl);
    broker = await TestBroker.connect(environment.amqpUrl);
    driver = new MatcherDriver(broker, db);
    await seedSubscribedWebhooks(db, {
      count: WEBHOOKS,
      registry: REGISTRY,
      image: IMAGE,
      organizationPrefix: 'kill-org-',
    });
  }, 120_000);

  afterAll(async () => {
    for (const matcher of running) {
      await matcher.kill();
    }
    await broker?.close();
    await db?.end();
    await environment?.dispose();
  }, 60_000);

  it('publishes one job per webhook after restart', async () => {
    const eventId = randomUUID();
    const first = await startMatcher();

    await publishUntilBatches(eventId, 4);
    await first.kill();
    const atKill = await progress(eventId);

    expect(atKill.total).toBe(WEBHOOKS);
    expect(atKill.published).toBeLessThan(WEBHOOKS);

    const second = await startMatcher();
    const jobs = await driver.jobsOfCompletedEvent(eventId);
    const distinctDeliveries = new Set(jobs.map((job) => job.delivery_id));
    const distinctWebhooks = new Set(jobs.map((job) => job.webhook_id));
    const duplicates = jobs.length - distinctDeliveries.size;
    console.log(
      `killed after ${atKill.published} of ${WEBHOOKS} jobs were marked ` +
        `published; ${jobs.length} jobs arrived, ${duplicates} duplicates`,
    );

    expect(distinctDeliveries.size).toBe(WEBHOOKS);
    expect(distinctWebhooks.size).toBe(WEBHOOKS);
    expect(duplicates).toBeLessThanOrEqual(BATCH_SIZE * 1.5);
    expect(await driver.eventProgress(eventId)).toMatchObject({
      job_count: WEBHOOKS,
      receive_count: 2,
    });
    expect((await progress(eventId)).total).toBe(0);
    expect(await second.stop()).toBe(0);
  }, 180_000);

  it('requeues fan-out stopped by SIGTERM', async () => {
    const eventId = randomUUID();
    const first = await startMatcher({ MATCHER_SHUTDOWN_GRACE_MS: '0' });

    await publishUntilBatches(eventId, 2);
    const exitCode = await first.stop();
    const atStop = await progress(eventId);
    const records = logRecords(first);
    const handedBack = records.filter(
      (record) => record.msg === 'message handed back to the queue',
    );

    expect(exitCode).toBe(0);
    expect(atStop.published).toBeLessThan(WEBHOOKS);
    expect(handedBack).toHaveLength(1);
    expect(handedBack[0].level).toBe(WARN_LEVEL);
    expect(handedBack[0].reason).toContain(eventId);
    expect(records.filter((record) => record.level > WARN_LEVEL)).toEqual([]);

    const second = await startMatcher();
    const jobs = await driver.jobsOfCompletedEvent(eventId);

    expect(new Set(jobs.map((job) => job.webhook_id)).size).toBe(WEBHOOKS);
    expect(await driver.eventProgress(eventId)).toMatchObject({
      job_count: WEBHOOKS,
      receive_count: 2,
    });
    expect(await second.stop()).toBe(0);
  }, 180_000);
});
