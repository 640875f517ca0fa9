import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import {
  DEMO_IMAGE,
  DEMO_REGISTRY,
  exampleImageUpdated,
} from '../../tools/demo/example-event';
import { SERVICES, ServiceName } from '../../tools/service-process';
import { HttpsReceiver } from './support/https-receiver';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { PlatformClient } from './support/platform-client';
import { parseSamples, sampleValue } from './support/prometheus-text';
import {
  launchService,
  poll,
  RunningService,
  serviceEnvironment,
} from './support/service-harness';

/**
 * One event through all three services, one invalid event, then the
 * counters of each service's GET /metrics. Every count is exact because
 * the services run in a virtual host and database of their own.
 */
describe('metrics', () => {
  let environment: IsolatedEnvironment;
  let platform: PlatformClient;
  const receiver = new HttpsReceiver();
  const services = {} as Record<ServiceName, RunningService>;
  const scraped = {} as Record<ServiceName, string>;
  const contentTypes = {} as Record<ServiceName, string | null>;

  /** Waits until `name` reports `value` for the sample, then keeps its text. */
  async function waitForSample(
    service: ServiceName,
    name: string,
    labels: Record<string, string>,
    value: number,
  ): Promise<void> {
    try {
      await poll(`${name} = ${value} in ${service}`, 30_000, async () => {
        const text = await services[service].scrapeMetrics();

        return sampleValue(text, name, labels) === value ? true : null;
      });
    } catch (error) {
      const tails = SERVICES.map(
        (other) => `--- ${other}\n${services[other].tail(15)}`,
      );
      throw new Error(`${(error as Error).message}\n${tails.join('\n')}`);
    }
  }

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('quor_ops_metrics');
    platform = await PlatformClient.connect(environment.amqpUrl);
    const webhookUrl = await receiver.start();
    for (const name of SERVICES) {
      services[name] = await launchService(
        name,
        serviceEnvironment(environment, {
          EGRESS_ALLOW_LOOPBACK: 'true',
          EGRESS_EXTRA_CA_FILE:
            name === 'webhook-delivery' ? receiver.caFile : '',
          OUTBOX_POLL_INTERVAL_MS: '50',
        }),
      );
    }
    const configUrl = services['webhook-config'].url('');

    await platform.startTrial();
    await platform.subscribe(DEMO_REGISTRY, DEMO_IMAGE);
    await poll('the Trial plan in webhook-config', 30_000, async () => {
      const plan = await platform.api(configUrl, 'GET', '/v1/plan');

      return plan.body.plan === 'trial' ? true : null;
    });
    const created = await platform.api(configUrl, 'POST', '/v1/webhooks', {
      name: 'Metrics check',
      url: webhookUrl,
      event_types: ['image.updated'],
      images: [{ registry: DEMO_REGISTRY, image: DEMO_IMAGE }],
    });
    if (created.status !== 201) {
      throw new Error(
        `creating the webhook failed with ${created.status}: ${JSON.stringify(created.body)}`,
      );
    }
    const webhookId = created.body.id as string;

    const database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
    try {
      await poll('the webhook in the matcher', 30_000, async () => {
        const rows = await database.query(
          'SELECT 1 FROM webhook_matcher.webhook WHERE id = $1',
          [webhookId],
        );

        return rows.rowCount ? true : null;
      });
    } finally {
      await database.end();
    }

    await platform.publishEvent('image.updated', exampleImageUpdated());
    await platform.publishEvent('image.updated', '{"event_id":', randomUUID());

    await waitForSample(
      'webhook-config',
      'quor_delivery_records_stored_total',
      {},
      1,
    );
    await waitForSample(
      'webhook-matcher',
      'quor_messages_dead_lettered_total',
      { queue: 'webhook-matcher.image-updated' },
      1,
    );
    await waitForSample('webhook-config', 'quor_outbox_pending', {}, 0);

    for (const name of SERVICES) {
      const response = await fetch(services[name].url('/metrics'));
      contentTypes[name] = response.headers.get('content-type');
      scraped[name] = await response.text();
    }
  }, 180_000);

  afterAll(async () => {
    for (const service of Object.values(services)) {
      await service.terminate();
    }
    await receiver.stop();
    await platform?.close();
    await environment?.dispose();
  }, 60_000);

  it.each(SERVICES)('%s answers in the Prometheus text format', (name) => {
    expect(contentTypes[name]).toMatch(/^text\/plain; .*version=0\.0\.4/);
  });

  it.each(SERVICES)('%s labels every sample with its name', (name) => {
    const unlabelled = parseSamples(scraped[name]).filter(
      (sample) => sample.labels.service !== name,
    );

    expect(unlabelled).toEqual([]);
  });

  it.each(SERVICES)('%s exports the default Node.js metrics', (name) => {
    expect(
      sampleValue(scraped[name], 'process_cpu_user_seconds_total'),
    ).toBeGreaterThan(0);
  });

  it('counts consumed events by routing key', () => {
    const text = scraped['webhook-matcher'];
    const consumed = (routingKey: string) =>
      sampleValue(text, 'quor_events_consumed_total', {
        routing_key: routingKey,
      });

    expect(consumed('image.updated')).toBe(1);
    expect(consumed('subscription.created')).toBe(1);
    expect(consumed('organization.plan_changed')).toBe(1);
    expect(consumed('webhook.changed')).toBeGreaterThanOrEqual(1);
  });

  it('counts the published delivery job', () => {
    expect(
      sampleValue(
        scraped['webhook-matcher'],
        'quor_delivery_jobs_published_total',
      ),
    ).toBe(1);
  });

  it('counts the dead-lettered event', () => {
    expect(
      sampleValue(
        scraped['webhook-matcher'],
        'quor_messages_dead_lettered_total',
        { queue: 'webhook-matcher.image-updated' },
      ),
    ).toBe(1);
  });

  it('counts the delivery by outcome', () => {
    const text = scraped['webhook-delivery'];

    expect(
      sampleValue(text, 'quor_deliveries_total', { outcome: 'success' }),
    ).toBe(1);
    expect(
      sampleValue(text, 'quor_deliveries_total', { outcome: 'timeout' }),
    ).toBe(0);
  });

  it('observes the attempt duration', () => {
    const text = scraped['webhook-delivery'];

    expect(
      sampleValue(text, 'quor_delivery_attempt_duration_seconds_count'),
    ).toBe(1);
    expect(
      sampleValue(text, 'quor_delivery_attempt_duration_seconds_bucket', {
        le: '10',
      }),
    ).toBe(1);
  });

  it('observes the time from event to delivery', () => {
    const text = scraped['webhook-delivery'];

    expect(sampleValue(text, 'quor_event_to_delivery_seconds_count')).toBe(1);
    expect(
      sampleValue(text, 'quor_event_to_delivery_seconds_sum'),
    ).toBeGreaterThan(0);
  });

  it('counts the stored delivery record', () => {
    expect(
      sampleValue(
        scraped['webhook-config'],
        'quor_delivery_records_stored_total',
      ),
    ).toBe(1);
  });

  it('reports an empty outbox', () => {
    expect(sampleValue(scraped['webhook-config'], 'quor_outbox_pending')).toBe(
      0,
    );
  });

  it('delivered the event to the receiver', () => {
    expect(receiver.requests).toHaveLength(1);
  });
});
