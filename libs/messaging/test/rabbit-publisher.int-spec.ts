import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { OutgoingMessage, RabbitPublisher, WEBHOOKS_EXCHANGE } from '../src';

const QUEUE = { name: 'publisher-test.jobs', bindings: [] };
const BOUND_KEY = 'publisher.test';

function messages(count: number, routingKey = BOUND_KEY): OutgoingMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    exchange: WEBHOOKS_EXCHANGE,
    routingKey,
    body: { index },
    messageId: `message-${index}`,
  }));
}

describe('RabbitPublisher', () => {
  let environment: IsolatedEnvironment;
  let amqp: ChannelModel;
  let channel: Channel;
  let publisher: RabbitPublisher;

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('publisher');
    publisher = new RabbitPublisher(
      environment.amqpUrl,
      [
        {
          ...QUEUE,
          bindings: [{ exchange: WEBHOOKS_EXCHANGE, routingKey: BOUND_KEY }],
        },
      ],
      'publisher-test',
    );
    await publisher.connect();
    amqp = await connect(environment.amqpUrl);
    channel = await amqp.createChannel();
  }, 60_000);

  afterEach(async () => {
    await channel.purgeQueue(QUEUE.name);
  });

  afterAll(async () => {
    await publisher?.close();
    await amqp?.close();
    await environment?.dispose();
  });

  it('resolves once the broker stored every message of batch', async () => {
    await publisher.publishBatch(messages(2_500));

    expect((await channel.checkQueue(QUEUE.name)).messageCount).toBe(2_500);
  });

  it('keeps body and message id of each message', async () => {
    await publisher.publishBatch(messages(3));
    const first = await channel.get(QUEUE.name, { noAck: true });
    if (!first) {
      throw new Error(`${QUEUE.name} is empty after the batch`);
    }

    expect(JSON.parse(first.content.toString())).toEqual({ index: 0 });
    expect(first.properties.messageId).toBe('message-0');
  });

  it('resolves at once for empty batch', async () => {
    await expect(publisher.publishBatch([])).resolves.toBeUndefined();
  });

  it('rejects batch that reached no queue, naming exchange and key', async () => {
    await expect(
      publisher.publishBatch(messages(2, 'no.such.binding')),
    ).rejects.toThrow(
      `2 message(s) to exchange ${WEBHOOKS_EXCHANGE} with routing key no.such.binding reached no queue`,
    );
  });

  it('rejects, not waits, when the broker closes the channel mid batch', async () => {
    const closing = new RabbitPublisher(environment.amqpUrl, [], 'closing');
    await closing.connect();
    const batch: OutgoingMessage[] = [
      ...messages(200),
      // Publishing to a missing exchange makes the broker close the channel.
      { exchange: 'publisher-test.missing', routingKey: 'x', body: {} },
      ...messages(200),
    ];

    try {
      await expect(closing.publishBatch(batch)).rejects.toThrow(
        /publisher-test\.missing|closed/,
      );
    } finally {
      await closing.close();
    }
  });

  it('publishes again after the broker closed its channel', async () => {
    const missing: OutgoingMessage = {
      exchange: 'publisher-test.missing',
      routingKey: 'x',
      body: {},
    };
    await expect(publisher.publish(missing)).rejects.toThrow();

    const deadline = Date.now() + 5_000;
    for (;;) {
      try {
        await publisher.publishBatch(messages(5));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    expect((await channel.checkQueue(QUEUE.name)).messageCount).toBe(5);
    expect(publisher.isConnected()).toBe(true);
  });
});
