import { INestApplication } from '@nestjs/common';
import { QUEUES } from '@quor/messaging';
import { connect, type ChannelModel } from 'amqplib';
import { ServerResponse } from 'node:http';
import { deliveryJob } from './support/delivery-jobs';
import {
  DestinationLimiter,
  originOf,
} from '../src/deliveries/destination-limiter';
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

/**
 * One endpoint that keeps every request open. With one slot per
 * destination, its first job hangs. After 5 s (the response timeout)
 * without a finished attempt the destination is stalled, so later jobs go
 * to `webhook-delivery.stalled` as the bytes published.
 */
describe('webhook-delivery stalled destination', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let amqp: ChannelModel;
  let worker: INestApplication;
  let hanging: Receiver;
  const openResponses: ServerResponse[] = [];

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    amqp = await connect(workerEnvironment({}).AMQP_URL);
    hanging = await startReceiver(trust.certificate, (_request, response) => {
      openResponses.push(response);
    });
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
      DELIVERY_PER_DESTINATION_CONCURRENCY: '1',
    });
  });

  // The open requests are ended first, so the worker's shutdown does not
  // wait for their timeouts.
  afterAll(async () => {
    for (const response of openResponses) {
      response.destroy();
    }
    await worker?.close();
    await hanging?.close();
    await broker?.purge();
    await amqp?.close();
    await broker?.close();
    trust?.remove();
  }, 30_000);

  it('defers jobs of stalled destination as published', async () => {
    const first = deliveryJob(hanging.url());
    await broker.publishJob(first);
    await waitUntil(
      'the first request to hang',
      5_000,
      async () => openResponses.length === 1,
    );
    // The first attempt times out after 5 s, and the destination is
    // stalled. Its one probe attempt then hangs too.
    await broker.waitForRecord(first.attempt_id, 10_000);
    await broker.publishJob(deliveryJob(hanging.url()));
    await waitUntil(
      'the probe request to hang',
      5_000,
      async () => openResponses.length === 2,
    );

    // This body lacks required fields: a stalled destination's job is
    // deferred before validation, so it is not dead-lettered yet.
    const unvalidated = JSON.stringify({
      url: hanging.url(),
      attempt_id: 'not-validated-yet',
    });
    await broker.publishJob(unvalidated, 'not-validated-yet');
    await waitUntil(
      'a job in webhook-delivery.stalled',
      5_000,
      async () => (await broker.queueDepth(QUEUES.deliveryStalled.name)) === 1,
    );

    const channel = await amqp.createChannel();
    const deferred = await channel.get(QUEUES.deliveryStalled.name, {
      noAck: true,
    });
    await channel.close();

    expect(deferred).not.toBe(false);
    expect(deferred ? deferred.content.toString('utf8') : null).toBe(
      unvalidated,
    );
    expect(deferred ? deferred.properties.messageId : null).toBe(
      'not-validated-yet',
    );
    expect(await broker.queueDepth(QUEUES.deliveryDeferred.name)).toBe(0);
    expect(openResponses).toHaveLength(2);
  }, 20_000);
});

/**
 * As many hanging endpoints as the worker has slots. Their first attempts
 * take every slot until they time out. After that, stalled destinations
 * get at most a quarter of the slots for probes, so a healthy endpoint is
 * served at once.
 */
describe('webhook-delivery with many stalled destinations', () => {
  const CONCURRENCY = 8;
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  const hanging: Receiver[] = [];
  let healthy: Receiver;
  const openResponses: ServerResponse[] = [];

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    for (let index = 0; index < CONCURRENCY; index += 1) {
      hanging.push(
        await startReceiver(trust.certificate, (_request, response) => {
          openResponses.push(response);
        }),
      );
    }
    healthy = await startReceiver(trust.certificate, answerOk);
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
      DELIVERY_CONCURRENCY: String(CONCURRENCY),
    });
  });

  // The open requests are ended first, so the worker's shutdown does not
  // wait for their timeouts.
  afterAll(async () => {
    for (const response of openResponses) {
      response.destroy();
    }
    await worker?.close();
    for (const receiver of [...hanging, healthy]) {
      await receiver?.close();
    }
    await broker?.purge();
    await broker?.close();
    trust?.remove();
  }, 30_000);

  it('serves healthy endpoint beside stalled ones', async () => {
    const first = hanging.map((receiver) => deliveryJob(receiver.url()));
    for (const job of first) {
      await broker.publishJob(job);
    }
    await Promise.all(
      first.map((job) => broker.waitForRecord(job.attempt_id, 10_000)),
    );

    // Every hanging destination is stalled now. Two more jobs each, then
    // one to the healthy endpoint.
    for (const receiver of [...hanging, ...hanging]) {
      await broker.publishJob(deliveryJob(receiver.url()));
    }
    const healthyJob = deliveryJob(healthy.url());
    const startedAt = Date.now();
    await broker.publishJob(healthyJob);
    const record = await broker.waitForRecord(healthyJob.attempt_id, 10_000);

    expect(record.outcome).toBe('success');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  }, 30_000);
});

/**
 * An endpoint that sends its headers at once and then one byte of body
 * every half second for 7 s, within the attempt's 10 s deadline. Its
 * attempt finishes after more than the 5 s stall threshold, but it is
 * reading a response all the while, so its destination is never stalled.
 */
describe('webhook-delivery with a slow body', () => {
  const BODY_MS = 7_000;
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  let slowBody: Receiver;
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    slowBody = await startReceiver(trust.certificate, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const startedAt = Date.now();
      const timer = setInterval(() => {
        if (Date.now() - startedAt >= BODY_MS) {
          clearInterval(timer);
          response.end('.');
          return;
        }
        response.write('.');
      }, 500);
      timers.push(timer);
    });
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
      DELIVERY_PER_DESTINATION_CONCURRENCY: '1',
    });
  });

  afterAll(async () => {
    timers.forEach(clearInterval);
    await worker?.close();
    await slowBody?.close();
    await broker?.purge();
    await broker?.close();
    trust?.remove();
  }, 30_000);

  it('keeps destination with slow body unstalled', async () => {
    const job = deliveryJob(slowBody.url());
    const limiter = worker.get(DestinationLimiter);
    await broker.publishJob(job);
    await waitUntil('the attempt to start', 5_000, () =>
      Boolean(slowBody.requests.length),
    );

    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const reasonAfter6s = limiter.deferralReason(originOf(job.url));
    const record = await broker.waitForRecord(job.attempt_id, 10_000);

    expect(reasonAfter6s).not.toBe('stalled');
    expect(record.outcome).toBe('success');
    expect(record.timings.total_ms).toBeGreaterThan(5_000);
  }, 30_000);
});
