import { INestApplication } from '@nestjs/common';
import { DeliveryRecordMessage } from '@quor/contracts';
import { SocketWatch, watchSockets } from '@quor/egress/testing';
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

/**
 * A worker with loopback not allowed, as in production. The socket watch
 * counts every client socket of this process, the worker's included, and
 * starts after the broker connections exist, so any socket it counts was
 * opened for a delivery.
 */
describe('webhook-delivery blocked destinations', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  let receiver: Receiver;
  let watch: SocketWatch;

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    receiver = await startReceiver(trust.certificate, answerOk);
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'false',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
    });
  });

  beforeEach(() => {
    watch = watchSockets();
  });

  afterEach(() => {
    watch.stop();
  });

  afterAll(async () => {
    await worker?.close();
    await broker?.close();
    await receiver?.close();
    trust?.remove();
  });

  const deliver = async (url: string): Promise<DeliveryRecordMessage> => {
    const job = deliveryJob(url);
    await broker.publishJob(job);

    return broker.waitForRecord(job.attempt_id);
  };

  it('blocks loopback without connecting', async () => {
    const record = await deliver(`https://127.0.0.1:${receiver.port}/`);

    expect(record.outcome).toBe('blocked');
    expect(record.error_message).not.toContain('127.0.0.1');
    expect(record.remote_address).toBeNull();
    expect(record.response).toBeNull();
    expect(receiver.connections()).toBe(0);
    expect(watch.created()).toBe(0);
  });

  it('blocks localhost before a TCP connect', async () => {
    const record = await deliver(`https://localhost:${receiver.port}/`);

    expect(record.outcome).toBe('blocked');
    expect(record.error_message).not.toMatch(/127\.0\.0\.1|::1/);
    expect(record.remote_address).toBeNull();
    expect(receiver.connections()).toBe(0);
    expect(watch.connected()).toEqual([]);
  });

  it('blocks the metadata address', async () => {
    const record = await deliver('https://169.254.169.254/latest/meta-data/');

    expect(record.outcome).toBe('blocked');
    expect(record.error_message).not.toContain('169.254');
    expect(record.remote_address).toBeNull();
    expect(watch.created()).toBe(0);
    expect(watch.stoppedLookups()).toEqual([]);
  });

  it('blocks an IPv4-mapped private address', async () => {
    const record = await deliver('https://[::ffff:10.0.0.1]/');

    expect(record.outcome).toBe('blocked');
    expect(record.error_message).not.toMatch(/10\.0\.0\.1|::ffff/i);
    expect(record.remote_address).toBeNull();
    expect(watch.created()).toBe(0);
    expect(watch.stoppedLookups()).toEqual([]);
  });
});
