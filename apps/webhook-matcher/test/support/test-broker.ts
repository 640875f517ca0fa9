import { DeliveryJobMessage } from '@quor/contracts';
import {
  assertTopology,
  DEAD_LETTER_QUEUE,
  EVENTS_EXCHANGE,
  QUEUES,
} from '@quor/messaging';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';

/** A dead-lettered message as the tests see it. */
export interface DeadLetter {
  messageId: string | undefined;
  routingKey: string;
  content: string;
  headers: Record<string, unknown>;
}

/**
 * Broker access for matcher tests in a virtual host of their own: publishes
 * events and collects everything that reaches `webhook-delivery.jobs` and
 * `quor.dead-letter`.
 */
export class TestBroker {
  private readonly jobs = new Map<string, DeliveryJobMessage[]>();
  private readonly deadLetters: DeadLetter[] = [];

  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly consumer: Channel,
  ) {}

  /** Connects, declares the topology and starts collecting. */
  static async connect(url: string): Promise<TestBroker> {
    const connection = await connect(url, {
      clientProperties: { connection_name: 'webhook-matcher.tests' },
    });
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    const broker = new TestBroker(connection, publisher, consumer);

    await assertTopology(consumer, [
      QUEUES.matcherImageUpdated,
      QUEUES.matcherChanges,
      QUEUES.deliveryJobs,
    ]);
    await consumer.consume(
      QUEUES.deliveryJobs.name,
      (message) => broker.collectJob(message),
      { noAck: true },
    );
    await consumer.consume(
      DEAD_LETTER_QUEUE,
      (message) => broker.collectDeadLetter(message),
      { noAck: true },
    );

    return broker;
  }

  /** Publishes to `quor.events` and waits for the broker's confirmation. */
  async publishEvent(
    routingKey: string,
    body: object | string,
    messageId?: string,
  ): Promise<void> {
    await this.publish(EVENTS_EXCHANGE, routingKey, body, messageId);
  }

  async publish(
    exchange: string,
    routingKey: string,
    body: object | string,
    messageId?: string,
  ): Promise<void> {
    const content = Buffer.from(
      typeof body === 'string' ? body : JSON.stringify(body),
    );
    await new Promise<void>((resolve, reject) =>
      this.publisher.publish(
        exchange,
        routingKey,
        content,
        { persistent: true, contentType: 'application/json', messageId },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  /** Jobs collected so far for `eventId`, in arrival order. */
  jobsFor(eventId: string): DeliveryJobMessage[] {
    return this.jobs.get(eventId) ?? [];
  }

  deadLetterWithId(messageId: string): DeadLetter | undefined {
    return this.deadLetters.find((letter) => letter.messageId === messageId);
  }

  /**
   * Waits until `webhook-delivery.jobs` has no message left to hand to
   * this consumer, then a little longer for the last ones in transit.
   */
  async drainJobs(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.queueDepth(QUEUES.deliveryJobs.name)) > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `${QUEUES.deliveryJobs.name} did not drain in ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  /** Returns the number of messages ready in `queue`. */
  async queueDepth(queue: string): Promise<number> {
    return (await this.consumer.checkQueue(queue)).messageCount;
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private collectJob(message: ConsumeMessage | null): void {
    if (!message) {
      return;
    }
    const job = JSON.parse(
      message.content.toString('utf8'),
    ) as DeliveryJobMessage;
    const jobs = this.jobs.get(job.event_id) ?? [];
    jobs.push(job);
    this.jobs.set(job.event_id, jobs);
  }

  private collectDeadLetter(message: ConsumeMessage | null): void {
    if (!message) {
      return;
    }
    this.deadLetters.push({
      messageId: message.properties.messageId as string | undefined,
      routingKey: message.fields.routingKey,
      content: message.content.toString('utf8'),
      headers: message.properties.headers ?? {},
    });
  }
}
