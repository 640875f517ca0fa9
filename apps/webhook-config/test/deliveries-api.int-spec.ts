import { DeliveryJobMessage, WebhookChangedMessage } from '@quor/contracts';
import { randomUUID } from 'node:crypto';
import { MaintenanceScheduler } from '../src/maintenance/maintenance.scheduler';
import { RetentionService } from '../src/deliveries/retention.service';
import { ConfigTestApp, validWebhook } from './config-test-app';
import { deliveryRecord } from './delivery-record.fixture';

describe('deliveries API', () => {
  const harness = new ConfigTestApp();
  let counter = 0;
  let probeQueue: string;
  const received: { routingKey: string; body: unknown }[] = [];

  beforeAll(async () => {
    await harness.start({
      SECRET_ROTATION_OVERLAP_SECONDS: '3600',
      DELIVERY_RETENTION_MAX_PER_WEBHOOK: '10',
    });
    const probe = await harness.channel.assertQueue('', { exclusive: true });
    probeQueue = probe.queue;
    await harness.channel.bindQueue(
      probeQueue,
      'quor.webhooks',
      'delivery.requested',
    );
    await harness.channel.bindQueue(
      probeQueue,
      'quor.webhooks',
      'webhook.changed',
    );
    await harness.channel.consume(
      probeQueue,
      (message) => {
        if (message) {
          received.push({
            routingKey: message.fields.routingKey,
            body: JSON.parse(message.content.toString('utf8')),
          });
        }
      },
      { noAck: true },
    );
  });

  afterAll(async () => {
    await harness.stop();
  });

  async function webhookOfNewOrganization() {
    const organization = `deliveries-${Date.now().toString(36)}-${++counter}`;
    await harness.setPlan(organization, 'enterprise');
    const created = await harness.request('POST', '/v1/webhooks', {
      organization,
      body: validWebhook(),
    });

    return {
      organization,
      webhookId: created.body.id as string,
      secret: created.body.secret as string,
    };
  }

  async function publishRecords(records: object[]) {
    for (const record of records) {
      harness.channel.publish(
        'quor.webhooks',
        'delivery.completed',
        Buffer.from(JSON.stringify(record)),
        {
          persistent: true,
        },
      );
    }
    await harness.channel.waitForConfirms();
  }

  async function waitForRows(webhookId: string, count: number) {
    await harness.waitFor(async () => {
      const [row] = await harness.dataSource.query(
        'SELECT count(*)::int AS count FROM delivery WHERE webhook_id = $1',
        [webhookId],
      );

      return row.count === count;
    }, `${count} delivery rows`);
  }

  async function waitForMessage<T>(
    predicate: (entry: { routingKey: string; body: T }) => boolean,
  ) {
    let found: { routingKey: string; body: T } | undefined;
    await harness.waitFor(async () => {
      found = (received as { routingKey: string; body: T }[]).find(predicate);

      return found !== undefined;
    }, 'a message on quor.webhooks');

    return found as { routingKey: string; body: T };
  }

  it('stores the same record once', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const record = deliveryRecord(organization, webhookId);
    await publishRecords([record, record]);
    await waitForRows(webhookId, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const list = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries`,
      { organization },
    );
    expect(list.body.data).toHaveLength(1);
  });

  it('lists newest first and pages with a cursor', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const base = Date.now() - 60_000;
    const records = Array.from({ length: 5 }, (_, index) =>
      deliveryRecord(organization, webhookId, {
        started_at: new Date(base + index * 1000).toISOString(),
      }),
    );
    await publishRecords(
      [...records].reverse().slice(0, 2).concat(records.slice(0, 3)),
    );
    await waitForRows(webhookId, 5);

    const first = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries?limit=3`,
      { organization },
    );
    const second = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries?limit=3&cursor=${first.body.next_cursor}`,
      { organization },
    );
    const ids = [...(first.body.data ?? []), ...(second.body.data ?? [])].map(
      (item) => item.id,
    );
    expect(ids).toEqual(
      [...records].reverse().map((record) => record.attempt_id),
    );
    expect(second.body.next_cursor).toBeNull();
  });

  it('filters by outcome and time', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const old = new Date(Date.now() - 3_600_000).toISOString();
    await publishRecords([
      deliveryRecord(organization, webhookId, {
        outcome: 'timeout',
        response: null,
        started_at: old,
      }),
      deliveryRecord(organization, webhookId),
    ]);
    await waitForRows(webhookId, 2);
    const timeouts = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries?outcome=timeout`,
      {
        organization,
      },
    );
    expect(timeouts.body.data?.map((item) => item.outcome)).toEqual([
      'timeout',
    ]);
    const since = new Date(Date.now() - 600_000).toISOString();
    const recent = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries?since=${since}`,
      {
        organization,
      },
    );
    expect(recent.body.data?.map((item) => item.outcome)).toEqual(['success']);
    const invalid = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries?outcome=maybe`,
      {
        organization,
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('outcome');
  });

  it('opens one delivery with request and response', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const record = deliveryRecord(organization, webhookId);
    await publishRecords([record]);
    await waitForRows(webhookId, 1);
    const detail = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries/${record.attempt_id}`,
      {
        organization,
      },
    );
    expect(detail.status).toBe(200);
    expect(detail.body.request).toEqual(record.request);
    expect(detail.body.response).toEqual(record.response);
    expect(detail.body.timings).toEqual(record.timings);
  });

  it('hides deliveries of other organizations', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const other = await webhookOfNewOrganization();
    const record = deliveryRecord(organization, webhookId);
    await publishRecords([record]);
    await waitForRows(webhookId, 1);
    const response = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries/${record.attempt_id}`,
      {
        organization: other.organization,
      },
    );
    expect(response.status).toBe(404);
  });

  it('stores a record with bytes PostgreSQL cannot hold', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const record = deliveryRecord(organization, webhookId, {
      response: {
        status: 200,
        headers: {},
        content_type: 'text/plain',
        body: 'a\u0000b\ud800c',
        body_truncated: false,
        body_bytes_seen: 5,
      },
    });
    await publishRecords([record]);
    await waitForRows(webhookId, 1);
    const detail = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries/${record.attempt_id}`,
      {
        organization,
      },
    );
    expect((detail.body.response as { body: string }).body).toBe(
      'a\uFFFDb\uFFFDc',
    );
  });

  it('redelivers the same payload as a new attempt', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const record = deliveryRecord(organization, webhookId);
    await publishRecords([record]);
    await waitForRows(webhookId, 1);
    const response = await harness.request(
      'POST',
      `/v1/webhooks/${webhookId}/deliveries/${record.attempt_id}/redeliver`,
      { organization },
    );
    expect(response.status).toBe(202);
    const job = await waitForMessage<DeliveryJobMessage>(
      (entry) =>
        entry.routingKey === 'delivery.requested' &&
        entry.body.attempt_id === response.body.id,
    );
    expect(job.body.kind).toBe('redelivery');
    expect(job.body.delivery_id).toBe(record.delivery_id);
    expect(job.body.redelivery_of).toBe(record.attempt_id);
    expect(job.body.attempt_id).not.toBe(record.attempt_id);
    expect(JSON.stringify(job.body.payload)).toBe(record.request.body);
  });

  it('sends a test ping as a job', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const response = await harness.request(
      'POST',
      `/v1/webhooks/${webhookId}/ping`,
      { organization },
    );
    expect(response.status).toBe(202);
    const job = await waitForMessage<DeliveryJobMessage>(
      (entry) =>
        entry.routingKey === 'delivery.requested' &&
        entry.body.attempt_id === response.body.id,
    );
    expect(job.body.kind).toBe('ping');
    expect(job.body.event_type).toBe('webhook.ping');
  });

  it('signs with both secrets during a rotation', async () => {
    const { organization, webhookId, secret } =
      await webhookOfNewOrganization();
    const rotated = await harness.request(
      'POST',
      `/v1/webhooks/${webhookId}/rotate-secret`,
      { organization },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(secret);
    const change = await waitForMessage<WebhookChangedMessage>(
      (entry) =>
        entry.routingKey === 'webhook.changed' &&
        entry.body.webhook_id === webhookId &&
        entry.body.secrets.length === 2,
    );
    expect(change.body.secrets).toEqual([rotated.body.secret, secret]);

    const scheduler = harness.app.get(MaintenanceScheduler);
    await scheduler.runOnce(new Date(Date.now() + 3_601_000));
    const ended = await waitForMessage<WebhookChangedMessage>(
      (entry) =>
        entry.routingKey === 'webhook.changed' &&
        entry.body.webhook_id === webhookId &&
        entry.body.version > change.body.version,
    );
    expect(ended.body.secrets).toEqual([rotated.body.secret]);
  });

  it('prunes old records and caps each webhook', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
    const recent = Array.from({ length: 12 }, (_, index) =>
      deliveryRecord(organization, webhookId, {
        started_at: new Date(Date.now() - index * 1000).toISOString(),
      }),
    );
    await publishRecords([
      deliveryRecord(organization, webhookId, { started_at: old }),
      ...recent,
    ]);
    await waitForRows(webhookId, 13);
    await harness.app.get(MaintenanceScheduler).runOnce(new Date());
    const rows: { attempt_id: string }[] = await harness.dataSource.query(
      'SELECT attempt_id FROM delivery WHERE webhook_id = $1 ORDER BY started_at DESC',
      [webhookId],
    );
    expect(rows.map((row) => row.attempt_id)).toEqual(
      recent.slice(0, 10).map((record) => record.attempt_id),
    );
  });

  it('prunes more than one batch and counts it', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
    await publishRecords([
      deliveryRecord(organization, webhookId, { started_at: old }),
    ]);
    await waitForRows(webhookId, 1);
    // Copies of the record under new attempt ids, more than a batch of 5,000.
    await harness.dataSource.query(
      `INSERT INTO delivery
       SELECT (jsonb_populate_record(d, jsonb_build_object(
         'attempt_id', gen_random_uuid()))).*
       FROM delivery d, generate_series(1, 5000)
       WHERE d.webhook_id = $1`,
      [webhookId],
    );

    const deleted = await harness.app.get(RetentionService).prune(new Date());

    const [{ remaining }] = await harness.dataSource.query(
      'SELECT count(*)::int AS remaining FROM delivery WHERE webhook_id = $1',
      [webhookId],
    );
    expect(remaining).toBe(0);
    expect(deleted).toBeGreaterThanOrEqual(5_001);
  });

  it('stores records published while it was stopped', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    await harness.app.close();
    const record = deliveryRecord(organization, webhookId);
    await publishRecords([record]);
    await harness.restart();
    await waitForRows(webhookId, 1);
    const detail = await harness.request(
      'GET',
      `/v1/webhooks/${webhookId}/deliveries/${record.attempt_id}`,
      {
        organization,
      },
    );
    expect(detail.status).toBe(200);
  });

  it('rejects redelivery of an unknown attempt', async () => {
    const { organization, webhookId } = await webhookOfNewOrganization();
    const response = await harness.request(
      'POST',
      `/v1/webhooks/${webhookId}/deliveries/${randomUUID()}/redeliver`,
      { organization },
    );
    expect(response.status).toBe(404);
  });
});
