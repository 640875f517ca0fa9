import { INestApplication } from '@nestjs/common';
import {
  DeliveryJobMessage,
  PING_EVENT_TYPE,
  TestConnectionResult,
} from '@quor/contracts';
import { generateWebhookSecret } from '@quor/egress';
import {
  DEAD_LETTER_REASON_HEADER,
  QUEUES,
  RabbitRpcClient,
} from '@quor/messaging';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { USER_AGENT } from '../src/deliveries/delivery-request';
import { deliveryJob, TEST_ORGANIZATION_ID } from './support/delivery-jobs';
import { startWorker, workerEnvironment } from './support/delivery-worker';
import {
  answerOk,
  createReceiverTrust,
  Receiver,
  ReceiverTrust,
  startReceiver,
} from './support/receiver';
import { DeliveryTestBroker } from './support/test-broker';

describe('webhook-delivery records', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  let receiver: Receiver;

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    receiver = await startReceiver(trust.certificate, answerOk);
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
    });
  });

  afterAll(async () => {
    await worker?.close();
    await broker?.close();
    await receiver?.close();
    trust?.remove();
  });

  describe('successful delivery', () => {
    const secret = generateWebhookSecret();
    const job = deliveryJob('', { secrets: [secret] });
    let before: number;

    beforeAll(async () => {
      job.url = receiver.url(`/hooks/${job.webhook_id}`);
      before = receiver.requests.length;
      await broker.publishJob(job);
      await broker.waitForRecord(job.attempt_id);
    });

    it('publishes one success record', () => {
      const records = broker.recordsFor(job.attempt_id);

      expect(records).toHaveLength(1);
      expect(records[0].outcome).toBe('success');
      expect(records[0].error_message).toBeNull();
      expect(records[0].response?.status).toBe(200);
      expect(records[0].response?.body).toBe('{"received":true}');
      expect(records[0].remote_address).toBe('127.0.0.1');
    });

    it('copies the job ids into the record', () => {
      const [record] = broker.recordsFor(job.attempt_id);

      expect(record.delivery_id).toBe(job.delivery_id);
      expect(record.attempt_id).toBe(job.attempt_id);
      expect(record.event_id).toBe(job.event_id);
      expect(record.webhook_id).toBe(job.webhook_id);
      expect(record.organization_id).toBe(TEST_ORGANIZATION_ID);
      expect(record.kind).toBe('event');
      expect(record.redelivery_of).toBeNull();
    });

    it('records the request as sent', () => {
      const [record] = broker.recordsFor(job.attempt_id);
      const received = receiver.requests[before];
      const { headers } = record.request;

      expect(receiver.requests).toHaveLength(before + 1);
      expect(record.request.url).toBe(job.url);
      expect(record.request.method).toBe('POST');
      expect(received.method).toBe('POST');
      expect(received.path).toBe(`/hooks/${job.webhook_id}`);
      expect(headers['webhook-id']).toBe(job.delivery_id);
      expect(headers['user-agent']).toBe(USER_AGENT);
      expect(headers['quor-event-id']).toBe(job.event_id);
      expect(headers['quor-event-occurred-at']).toBe(job.occurred_at);
      expect(headers['quor-attempt-id']).toBe(job.attempt_id);
      expect(headers['quor-event-type']).toBe('image.updated');
      expect(headers['content-type']).toBe('application/json');
      for (const name of Object.keys(headers)) {
        expect(received.headers[name]).toBe(headers[name]);
      }
    });

    it('records the body bytes the receiver got', () => {
      const [record] = broker.recordsFor(job.attempt_id);
      const received = receiver.requests[before];

      expect(Buffer.from(record.request.body, 'utf8')).toEqual(received.body);
      expect(JSON.parse(record.request.body)).toEqual(job.payload);
    });

    it('sends a current webhook-timestamp', () => {
      const [record] = broker.recordsFor(job.attempt_id);
      const timestamp = Number(record.request.headers['webhook-timestamp']);
      const startedAt = Date.parse(record.started_at) / 1000;

      expect(Number.isInteger(timestamp)).toBe(true);
      expect(Math.abs(timestamp - startedAt)).toBeLessThanOrEqual(1);
    });

    it('signs so standardwebhooks verifies', () => {
      const received = receiver.requests[before];
      const headers = received.headers as Record<string, string>;

      expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(() =>
        new Webhook(secret).verify(received.body.toString('utf8'), headers),
      ).not.toThrow();
      expect(() =>
        new Webhook(generateWebhookSecret()).verify(
          received.body.toString('utf8'),
          headers,
        ),
      ).toThrow();
    });
  });

  it('signs with both secrets during rotation', async () => {
    const newSecret = generateWebhookSecret();
    const oldSecret = generateWebhookSecret();
    const job = deliveryJob(receiver.url(), {
      secrets: [newSecret, oldSecret],
    });
    await broker.publishJob(job);
    const record = await broker.waitForRecord(job.attempt_id);
    const received = receiver.requests.find(
      (request) => request.headers['quor-attempt-id'] === job.attempt_id,
    );
    const headers = received?.headers as Record<string, string>;
    const body = received?.body.toString('utf8') ?? '';
    const signatures = headers['webhook-signature'].split(' ');

    expect(record.outcome).toBe('success');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((entry) => entry.startsWith('v1,'))).toBe(true);
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
  });

  it('records a redelivery with the same webhook-id', async () => {
    const original = deliveryJob(receiver.url());
    const redelivery = deliveryJob(receiver.url(), {
      delivery_id: original.delivery_id,
      kind: 'redelivery',
      redelivery_of: original.attempt_id,
    });
    await broker.publishJob(redelivery);
    const record = await broker.waitForRecord(redelivery.attempt_id);

    expect(record.outcome).toBe('success');
    expect(record.kind).toBe('redelivery');
    expect(record.redelivery_of).toBe(original.attempt_id);
    expect(record.request.headers['webhook-id']).toBe(original.delivery_id);
    expect(record.request.headers['quor-attempt-id']).toBe(
      redelivery.attempt_id,
    );
  });

  describe('invalid jobs', () => {
    it('dead-letters a body that is not JSON', async () => {
      const messageId = randomUUID();
      await broker.publishJob('this is not JSON', messageId);
      const letter = await broker.waitForDeadLetter(messageId);

      expect(letter.content).toBe('this is not JSON');
      expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toContain(
        'not valid JSON',
      );
      expect(letter.headers['x-quor-original-queue']).toBe(
        QUEUES.deliveryJobs.name,
      );
    });

    it('dead-letters a job without url', async () => {
      const withoutUrl: Partial<DeliveryJobMessage> = deliveryJob(
        receiver.url(),
      );
      delete withoutUrl.url;
      const messageId = randomUUID();
      await broker.publishJob(JSON.stringify(withoutUrl), messageId);
      const letter = await broker.waitForDeadLetter(messageId);

      expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toContain('url');
      expect(broker.recordsFor(withoutUrl.attempt_id ?? '')).toHaveLength(0);
    });

    it('delivers the next job after them', async () => {
      const invalidId = randomUUID();
      await broker.publishJob('{"delivery_id": 42}', invalidId);
      const job = deliveryJob(receiver.url());
      await broker.publishJob(job);

      const letter = await broker.waitForDeadLetter(invalidId);
      const record = await broker.waitForRecord(job.attempt_id);

      expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toContain(
        'delivery_id',
      );
      expect(record.outcome).toBe('success');
    });
  });

  describe('test connection', () => {
    let rpc: RabbitRpcClient;

    beforeAll(async () => {
      rpc = new RabbitRpcClient(
        workerEnvironment({}).AMQP_URL,
        QUEUES.deliveryTestConnection,
        'webhook-delivery.tests.rpc',
      );
      await rpc.connect();
    });

    afterAll(async () => {
      await rpc?.close();
    });

    it('replies success for a local receiver', async () => {
      const before = receiver.requests.length;
      const reply = await rpc.request<TestConnectionResult>(
        { organization_id: TEST_ORGANIZATION_ID, url: receiver.url('/ping') },
        10_000,
      );
      const received = receiver.requests[before];

      expect(reply?.outcome).toBe('success');
      expect(reply?.error_message).toBeNull();
      expect(reply?.response?.status).toBe(200);
      expect(received?.path).toBe('/ping');
      expect(received?.headers['quor-event-type']).toBe(PING_EVENT_TYPE);
      expect(JSON.parse(received?.body.toString('utf8') ?? '{}').type).toBe(
        PING_EVENT_TYPE,
      );
    });

    it('replies in time for a slow body', async () => {
      const dripping = await startReceiver(
        trust.certificate,
        (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('S');
          const timer = setInterval(() => response.write('.'), 1_000);
          response.once('close', () => clearInterval(timer));
        },
      );
      const started = Date.now();
      const reply = await rpc.request<TestConnectionResult>(
        { organization_id: TEST_ORGANIZATION_ID, url: dripping.url('/drip') },
        10_000,
      );
      const elapsed = Date.now() - started;
      await dripping.close();

      expect(reply?.outcome).toBe('success');
      expect(reply?.response?.body?.startsWith('S')).toBe(true);
      expect(elapsed).toBeLessThan(6_000);
    }, 15_000);

    it('replies blocked for a private address', async () => {
      const reply = await rpc.request<TestConnectionResult>(
        { organization_id: TEST_ORGANIZATION_ID, url: 'https://10.1.2.3/' },
        10_000,
      );

      expect(reply?.outcome).toBe('blocked');
      expect(reply?.response).toBeNull();
      expect(reply?.error_message).not.toContain('10.1.2.3');
    });
  });
});
