import { INestApplication } from '@nestjs/common';
import { DeliveryRecordMessage } from '@quor/contracts';
import { QUEUES } from '@quor/messaging';
import { ServerResponse } from 'node:http';
import { deliveryJob } from './support/delivery-jobs';
import { startWorker, workerEnvironment } from './support/delivery-worker';
import {
  answerOk,
  createReceiverTrust,
  Receiver,
  ReceiverTrust,
  startReceiver,
} from './support/receiver';
import { DeliveryTestBroker } from './support/test-broker';
import { waitUntil } from './support/wait-until';

const PER_DESTINATION_LIMIT = 2;
const HANGING_JOBS = 20;
const HEALTHY_JOBS = 10;

/**
 * Twenty jobs to an endpoint that delays its responses until the test
 * releases them, then jobs to a healthy endpoint. One of the twenty is in
 * flight, because an endpoint gets one slot until it responds. Some wait
 * in the worker and the rest go to `webhook-delivery.deferred`. The held responses
 * are released once the healthy jobs are done, before the worker's 5 s
 * response timeout, so every hanging job must come back and succeed.
 */
describe('webhook-delivery destination isolation', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  let hanging: Receiver;
  let healthy: Receiver;
  const held: ServerResponse[] = [];
  let holding = true;

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    hanging = await startReceiver(trust.certificate, (request, response) => {
      if (holding) {
        held.push(response);
      } else {
        answerOk(request, response, Buffer.alloc(0));
      }
    });
    healthy = await startReceiver(trust.certificate, answerOk);
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
      DELIVERY_PER_DESTINATION_CONCURRENCY: String(PER_DESTINATION_LIMIT),
    });
  });

  afterAll(async () => {
    await worker?.close();
    await broker?.close();
    await hanging?.close();
    await healthy?.close();
    trust?.remove();
  });

  it('keeps healthy endpoints fast', async () => {
    const hangingJobs = Array.from({ length: HANGING_JOBS }, () =>
      deliveryJob(hanging.url()),
    );
    for (const job of hangingJobs) {
      await broker.publishJob(job);
    }
    await waitUntil(
      'the hanging endpoint to hold its first request',
      5_000,
      () => held.length >= 1,
    );
    await waitUntil(
      'jobs in webhook-delivery.deferred',
      5_000,
      async () => (await broker.queueDepth(QUEUES.deliveryDeferred.name)) > 0,
    );

    const healthyJobs = Array.from({ length: HEALTHY_JOBS }, () =>
      deliveryJob(healthy.url()),
    );
    const healthyStartedAt = Date.now();
    for (const job of healthyJobs) {
      await broker.publishJob(job);
    }
    const healthyRecords = await Promise.all(
      healthyJobs.map((job) => broker.waitForRecord(job.attempt_id, 5_000)),
    );
    const healthyElapsedMs = Date.now() - healthyStartedAt;

    expect(healthyRecords.map((record) => record.outcome)).toEqual(
      healthyJobs.map(() => 'success'),
    );
    expect(healthyElapsedMs).toBeLessThan(2_000);
    expect(held).toHaveLength(1);
    expect(hanging.maxOpenConnections()).toBeLessThanOrEqual(
      PER_DESTINATION_LIMIT,
    );

    holding = false;
    for (const response of held) {
      answerOk(undefined as never, response, Buffer.alloc(0));
    }
    const hangingRecords: DeliveryRecordMessage[] = await Promise.all(
      hangingJobs.map((job) => broker.waitForRecord(job.attempt_id, 30_000)),
    );

    expect(hangingRecords.map((record) => record.outcome)).toEqual(
      hangingJobs.map(() => 'success'),
    );
    expect(hanging.requests).toHaveLength(HANGING_JOBS);
    expect(hanging.maxOpenConnections()).toBeLessThanOrEqual(
      PER_DESTINATION_LIMIT,
    );
    for (const job of hangingJobs) {
      expect(broker.recordsFor(job.attempt_id)).toHaveLength(1);
    }
  }, 45_000);
});
