import { QUEUES } from '@quor/messaging';
import { randomUUID } from 'node:crypto';
import { exampleImageUpdated } from '../../tools/demo/example-event';
import { ServiceName } from '../../tools/service-process';
import { deliveryJob } from './support/delivery-job';
import { HttpsReceiver } from './support/https-receiver';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { PlatformClient } from './support/platform-client';
import {
  ExitStatus,
  launchService,
  poll,
  RunningService,
  serviceEnvironment,
} from './support/service-harness';

/** An idle service closes its connections and exits well within this. */
const IDLE_EXIT_BOUND_MS = 3_000;

/** terminationGracePeriodSeconds of each Deployment under k8s/base. */
const GRACE_PERIOD_MS: Record<ServiceName, number> = {
  'webhook-config': 30_000,
  'webhook-matcher': 30_000,
  'webhook-delivery': 45_000,
};

/** Makes the service use its database pool, consumers and HTTP server. */
async function exercise(
  service: RunningService,
  platform: PlatformClient,
): Promise<void> {
  for (let request = 0; request < 3; request += 1) {
    await fetch(service.url('/health/ready'));
  }

  if (service.name === 'webhook-config') {
    await platform.api(service.url(''), 'GET', '/v1/webhooks');
  }
  if (service.name === 'webhook-matcher') {
    const event = exampleImageUpdated();
    await platform.publishEvent('image.updated', event);
    await service.waitForRecord(
      'the fan-out of the event',
      (record) => record.event_id === event.event_id,
    );
  }
}

describe('graceful shutdown', () => {
  let environment: IsolatedEnvironment;
  let platform: PlatformClient;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('quor_ops_shutdown');
    platform = await PlatformClient.connect(environment.amqpUrl);
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
    await environment?.dispose();
  }, 60_000);

  describe.each(Object.keys(GRACE_PERIOD_MS) as ServiceName[])(
    '%s after SIGTERM',
    (name) => {
      let service: RunningService;
      let exit: ExitStatus & { durationMs: number };

      beforeAll(async () => {
        service = await launchService(name, serviceEnvironment(environment));
        await exercise(service, platform);
        exit = await service.terminate(GRACE_PERIOD_MS[name] + 5_000);
      }, 120_000);

      it('exits with code 0', () => {
        expect(exit).toMatchObject({ code: 0, signal: null });
      });

      it('exits within the grace period', () => {
        expect(exit.durationMs).toBeLessThan(GRACE_PERIOD_MS[name]);
      });

      it('exits promptly when idle', () => {
        expect(exit.durationMs).toBeLessThan(IDLE_EXIT_BOUND_MS);
      });

      it('logs the signal', () => {
        const stopping = service
          .records()
          .find((record) => record.msg === `${name} stopping`);
        expect(stopping?.signal).toBe('SIGTERM');
      });

      it('logs a stop line', () => {
        const stopped = service
          .records()
          .find((record) => record.msg === `${name} stopped`);
        expect(stopped?.duration_ms).toEqual(expect.any(Number));
      });

      it('logs no error', () => {
        const errors = service.records().filter((record) => record.level >= 50);
        expect(errors).toEqual([]);
      });
    },
  );

  describe('webhook-delivery with an attempt in flight', () => {
    /** How long the receiver waits before it sends its response. */
    const ANSWER_DELAY_MS = 3_000;
    const receiver = new HttpsReceiver();
    let exit: ExitStatus & { durationMs: number };
    let records: string[];
    const job = deliveryJob('');

    beforeAll(async () => {
      receiver.delayMs = ANSWER_DELAY_MS;
      job.url = await receiver.start();
      job.attempt_id = randomUUID();
      const service = await launchService(
        'webhook-delivery',
        serviceEnvironment(environment, {
          EGRESS_ALLOW_LOOPBACK: 'true',
          EGRESS_EXTRA_CA_FILE: receiver.caFile,
        }),
      );

      await platform.publishWebhookMessage('delivery.requested', job);
      await poll('the attempt at the receiver', 30_000, async () =>
        receiver.requests.length > 0 ? true : null,
      );
      exit = await service.terminate(GRACE_PERIOD_MS['webhook-delivery']);
      records = await platform.takeMessages(QUEUES.configDeliveryRecords.name);
    }, 120_000);

    afterAll(async () => {
      await receiver.stop();
    });

    it('exits with code 0', () => {
      expect(exit).toMatchObject({ code: 0, signal: null });
    });

    it('waits for the answer', () => {
      expect(exit.durationMs).toBeGreaterThan(ANSWER_DELAY_MS / 2);
    });

    it('exits within the grace period', () => {
      expect(exit.durationMs).toBeLessThan(GRACE_PERIOD_MS['webhook-delivery']);
    });

    it('publishes the record before exiting', () => {
      const attempts = records.map(
        (body) => (JSON.parse(body) as { attempt_id: string }).attempt_id,
      );
      expect(attempts).toContain(job.attempt_id);
    });
  });
});
