import {
  DELIVERY_COMPLETED,
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  DeliveryRecordMessage,
} from '@quor/contracts';
import {
  assertTopology,
  DEAD_LETTER_EXCHANGE,
  QUEUES,
  WEBHOOKS_EXCHANGE,
} from '@quor/messaging';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';

/** Queues that webhook-delivery tests empty before they start. */
export const DELIVERY_TEST_QUEUES = [
  QUEUES.deliveryJobs,
  QUEUES.deliveryDeferred,
  QUEUES.deliveryStalled,
  QUEUES.configDeliveryRecords,
];

/** A message copied to `quor.dead-letter`, as the tests see it. */
export interface DeadLetter {
  messageId: string | undefined;
  content: string;
  headers: Record<string, unknown>;
}

const POLL_INTERVAL_MS = 20;

/**
 * Broker access for webhook-delivery tests on the shared broker. Records
 * and dead letters are read through exclusive queues of this connection,
 * bound to `delivery.completed` on `quor.webhooks` and to
 * `delivery.requested` on `quor.dead-letter`, so the tests take nothing
 * from the queues of other services.
 */
export class DeliveryTestBroker {
  private readonly records: DeliveryRecordMessage[] = [];
  private readonly deadLetters: DeadLetter[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly channel: Channel,
  ) {}

  /**
   * Connects, declares the topology, purges DELIVERY_TEST_QUEUES and starts
   * collecting records and dead letters.
   */
  static async connect(url: string): Promise<DeliveryTestBroker> {
    const connection = await connect(url, {
      clientProperties: { connection_name: 'webhook-delivery.tests' },
    });
    const publisher = await connection.createConfirmChannel();
    const channel = await connection.createChannel();
    const broker = new DeliveryTestBroker(connection, publisher, channel);

    await assertTopology(channel, DELIVERY_TEST_QUEUES);
    await broker.purge();

    const records = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
    });
    await channel.bindQueue(
      records.queue,
      WEBHOOKS_EXCHANGE,
      DELIVERY_COMPLETED,
    );
    await channel.consume(
      records.queue,
      (message) => broker.collectRecord(message),
      { noAck: true },
    );

    const deadLetters = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
    });
    await channel.bindQueue(
      deadLetters.queue,
      DEAD_LETTER_EXCHANGE,
      DELIVERY_REQUESTED,
    );
    await channel.consume(
      deadLetters.queue,
      (message) => broker.collectDeadLetter(message),
      { noAck: true },
    );

    return broker;
  }

  /** Empties DELIVERY_TEST_QUEUES. */
  async purge(): Promise<void> {
    for (const queue of DELIVERY_TEST_QUEUES) {
      await this.channel.purgeQueue(queue.name);
    }
  }

  /**
   * Publishes a job, or raw bytes standing for one, to `delivery.requested`
   * on `quor.webhooks` and waits for the broker's confirmation.
   */
  async publishJob(
    job: DeliveryJobMessage | string,
    messageId?: string,
  ): Promise<void> {
    const content = Buffer.from(
      typeof job === 'string' ? job : JSON.stringify(job),
    );
    const id =
      messageId ?? (typeof job === 'string' ? undefined : job.attempt_id);
    await new Promise<void>((resolve, reject) =>
      this.publisher.publish(
        WEBHOOKS_EXCHANGE,
        DELIVERY_REQUESTED,
        content,
        { persistent: true, contentType: 'application/json', messageId: id },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  /** Records received so far for `attemptId`. */
  recordsFor(attemptId: string): DeliveryRecordMessage[] {
    return this.records.filter((record) => record.attempt_id === attemptId);
  }

  /** Resolves with the first record of `attemptId`. */
  async waitForRecord(
    attemptId: string,
    timeoutMs = 20_000,
  ): Promise<DeliveryRecordMessage> {
    return this.waitFor(`the record of attempt ${attemptId}`, timeoutMs, () =>
      this.records.find((record) => record.attempt_id === attemptId),
    );
  }

  /** Resolves with the dead-lettered copy of the message `messageId`. */
  async waitForDeadLetter(
    messageId: string,
    timeoutMs = 10_000,
  ): Promise<DeadLetter> {
    return this.waitFor(
      `the dead-lettered message ${messageId}`,
      timeoutMs,
      () => this.deadLetters.find((letter) => letter.messageId === messageId),
    );
  }

  /** Returns the number of messages ready in `queue`. */
  async queueDepth(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Takes one ready job from `webhook-delivery.jobs`, or null if none. */
  async takeJob(): Promise<DeliveryJobMessage | null> {
    const message = await this.channel.get(QUEUES.deliveryJobs.name, {
      noAck: true,
    });
    if (!message) {
      return null;
    }

    return JSON.parse(message.content.toString('utf8')) as DeliveryJobMessage;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private async waitFor<T>(
    what: string,
    timeoutMs: number,
    find: () => T | undefined,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  private collectRecord(message: ConsumeMessage | null): void {
    if (message) {
      this.records.push(
        JSON.parse(message.content.toString('utf8')) as DeliveryRecordMessage,
      );
    }
  }

  private collectDeadLetter(message: ConsumeMessage | null): void {
    if (message) {
      this.deadLetters.push({
        messageId: message.properties.messageId as string | undefined,
        content: message.content.toString('utf8'),
        headers: (message.properties.headers ?? {}) as Record<string, unknown>,
      });
    }
  }
}
