import { INestApplication } from '@nestjs/common';
import { QUEUES } from '@quor/messaging';
import { connect, type ChannelModel } from 'amqplib';
import { ServerResponse } from 'node:http';
import { deliveryJob } from './support/delivery-jobs';
import { startWorker, workerEnvironment } from './support/delivery-worker';
import {
  createReceiverTrust,
  Receiver,
  ReceiverTrust,
  startReceiver,
} from './support/receiver';
import { DeliveryTestBroker } from './support/test-broker';

async function waitUntil(
  description: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One endpoint that keeps every request open. With one slot per
 * destination, its first job hangs; after a second without a finished
 * attempt the destination is stalled, and later jobs go to
 * `webhook-delivery.stalled` as the bytes published.
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

  afterAll(async () => {
    await worker?.close();
    for (const response of openResponses) {
      response.destroy();
    }
    await hanging?.close();
    await broker?.purge();
    await amqp?.close();
    await broker?.close();
    trust?.remove();
  });

  it('defers jobs of stalled destination as published', async () => {
    const first = deliveryJob(hanging.url());
    await broker.publishJob(first);
    await waitUntil(
      'the first request to hang',
      5_000,
      async () => openResponses.length === 1,
    );
    // Past one second without a finished attempt the destination is stalled.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

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
    expect(openResponses).toHaveLength(1);
  }, 20_000);
});
