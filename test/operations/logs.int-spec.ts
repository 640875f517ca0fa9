import { QUEUES } from '@quor/messaging';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { DEMO_IMAGE, DEMO_REGISTRY } from '../../tools/demo/example-event';
import { deliveryJob } from './support/delivery-job';
import { HttpsReceiver } from './support/https-receiver';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { PlatformClient } from './support/platform-client';
import { sampleValue } from './support/prometheus-text';
import {
  launchService,
  LogRecord,
  poll,
  RunningService,
  serviceEnvironment,
} from './support/service-harness';

/** Secret values and their key part, which must not appear anywhere. */
function secretForms(secrets: string[]): string[] {
  return secrets.flatMap((secret) => [secret, secret.replace(/^whsec_/, '')]);
}

describe('logs', () => {
  let environment: IsolatedEnvironment;
  let platform: PlatformClient;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('quor_ops_logs');
    platform = await PlatformClient.connect(environment.amqpUrl);
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
    await environment?.dispose();
  }, 60_000);

  describe('webhook-config', () => {
    let service: RunningService;
    let output: string;
    const secrets: string[] = [];
    const foreignToken = new JwtService({
      secret: 'a-key-that-webhook-config-does-not-know-1234',
    }).sign({ organization_id: 'org_foreign' }, { algorithm: 'HS256' });

    beforeAll(async () => {
      service = await launchService(
        'webhook-config',
        serviceEnvironment(environment, {
          LOG_LEVEL: 'trace',
          EGRESS_ALLOW_LOOPBACK: 'true',
          OUTBOX_POLL_INTERVAL_MS: '50',
        }),
      );
      const api = (method: string, route: string, body?: object) =>
        platform.api(service.url(''), method, route, body);

      await platform.startTrial();
      await platform.subscribe(DEMO_REGISTRY, DEMO_IMAGE);
      await poll('the Trial plan in webhook-config', 30_000, async () => {
        const plan = await api('GET', '/v1/plan');

        return plan.body.plan === 'trial' ? true : null;
      });

      const created = await api('POST', '/v1/webhooks', {
        name: 'Log check',
        url: 'https://localhost:9/hooks',
        event_types: ['image.updated'],
        images: [{ registry: DEMO_REGISTRY, image: DEMO_IMAGE }],
      });
      expect(created.status).toBe(201);
      secrets.push(created.body.secret as string);
      const webhookId = created.body.id as string;

      const rotated = await api(
        'POST',
        `/v1/webhooks/${webhookId}/rotate-secret`,
      );
      expect(rotated.status).toBe(200);
      secrets.push(rotated.body.secret as string);

      await api('GET', `/v1/webhooks/${webhookId}`);
      await api('GET', `/v1/webhooks/${randomUUID()}`);
      await fetch(service.url('/v1/webhooks'), {
        headers: { authorization: `Bearer ${foreignToken}` },
      });
      await fetch(service.url('/health/live'));
      await fetch(service.url('/health/ready'));

      // The outbox carries the secrets to the matcher; waiting until it is
      // empty makes its relay's log lines part of the output.
      await poll('an empty outbox', 30_000, async () => {
        const metrics = await service.scrapeMetrics();

        return sampleValue(metrics, 'quor_outbox_pending') === 0 ? true : null;
      });
      await service.terminate();
      output = service.lines.join('\n');
    }, 120_000);

    it('returned two secrets', () => {
      expect(secrets).toEqual([
        expect.stringMatching(/^whsec_/),
        expect.stringMatching(/^whsec_/),
      ]);
    });

    it('never logs a signing secret', () => {
      for (const form of secretForms(secrets)) {
        expect(output).not.toContain(form);
      }
    });

    it('never logs the bearer token', () => {
      expect(output).not.toContain(platform.token);
      expect(output).not.toContain(platform.token.split('.')[2]);
    });

    it('never logs a rejected token', () => {
      expect(output).not.toContain(foreignToken.split('.')[2]);
    });

    it('logs API requests', () => {
      const requests = service
        .records()
        .filter((record) => record.req !== undefined);
      const urls = requests.map(
        (record) => (record.req as { url: string }).url,
      );

      expect(urls).toContain('/v1/webhooks');
    });

    it('does not log probes and scrapes', () => {
      const urls = service
        .records()
        .flatMap((record) =>
          record.req ? [(record.req as { url: string }).url] : [],
        );

      expect(urls.filter((url) => /^\/(health|metrics)/.test(url))).toEqual([]);
    });

    it('writes only JSON lines', () => {
      expect(service.records()).toHaveLength(service.lines.length);
    });
  });

  describe('webhook-delivery', () => {
    const receiver = new HttpsReceiver();
    let service: RunningService;
    let output: string;
    let records: LogRecord[];
    const delivered = deliveryJob('');
    const refused = deliveryJob('https://localhost:9/closed');
    const invalid = { ...deliveryJob(''), url: undefined };
    const invalidMessageId = randomUUID();

    beforeAll(async () => {
      delivered.url = await receiver.start();
      service = await launchService(
        'webhook-delivery',
        serviceEnvironment(environment, {
          LOG_LEVEL: 'trace',
          EGRESS_ALLOW_LOOPBACK: 'true',
          EGRESS_EXTRA_CA_FILE: receiver.caFile,
        }),
      );

      for (const job of [delivered, refused]) {
        await platform.publishWebhookMessage(
          'delivery.requested',
          job,
          job.delivery_id,
        );
      }
      await platform.publishWebhookMessage(
        'delivery.requested',
        invalid,
        invalidMessageId,
      );

      for (const job of [delivered, refused]) {
        await service.waitForRecord(
          `the attempt of delivery ${job.delivery_id}`,
          (record) =>
            record.msg === 'delivery attempted' &&
            record.attempt_id === job.attempt_id,
        );
      }
      await service.waitForRecord(
        'the dead-lettered job',
        (record) => record.message_id === invalidMessageId,
      );
      await platform.takeMessages(QUEUES.configDeliveryRecords.name);
      await service.terminate();
      output = service.lines.join('\n');
      records = service.records();
    }, 120_000);

    afterAll(async () => {
      await receiver.stop();
    });

    it('delivers with both secrets', () => {
      const signature = receiver.requests[0]?.headers['webhook-signature'];

      expect(String(signature).split(' ')).toHaveLength(2);
    });

    it('never logs a signing secret', () => {
      const secrets = [delivered, refused, invalid].flatMap(
        (job) => job.secrets,
      );
      for (const form of secretForms(secrets)) {
        expect(output).not.toContain(form);
      }
    });

    it('logs why the invalid job was dead-lettered', () => {
      const deadLettered = records.find(
        (record) => record.message_id === invalidMessageId,
      );

      expect(deadLettered?.msg).toBe('message dead-lettered');
      expect(deadLettered?.reason).toContain('url');
    });

    it.each([
      ['delivered', delivered],
      ['refused', refused],
    ])('logs the outcome of the %s job', (_case, job) => {
      const attempt = records.find(
        (record) =>
          record.msg === 'delivery attempted' &&
          record.attempt_id === job.attempt_id,
      );

      expect(attempt?.outcome).toBe(
        job === delivered ? 'success' : 'connection_error',
      );
    });

    it.each([
      ['delivered', delivered],
      ['refused', refused],
    ])('puts the ids on every line of the %s job', (_case, job) => {
      const lines = records.filter((record) =>
        JSON.stringify(record).includes(job.delivery_id),
      );

      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatchObject({
          event_id: job.event_id,
          webhook_id: job.webhook_id,
          delivery_id: job.delivery_id,
        });
      }
    });
  });
});
