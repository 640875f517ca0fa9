import { randomUUID } from 'node:crypto';
import { type Channel, type ChannelModel } from 'amqplib';
import { connectToBroker } from './connect-broker';
import { assertTopology, QueueSpec } from './topology';

const DIRECT_REPLY_QUEUE = 'amq.rabbitmq.reply-to';

/**
 * Sends requests to a queue and waits for the reply through RabbitMQ's
 * direct reply-to, which needs no reply queue of its own.
 */
export class RabbitRpcClient {
  private connection: ChannelModel | null = null;
  private channel: Channel | null = null;
  private readonly pending = new Map<
    string,
    { resolve: (value: unknown) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly url: string,
    private readonly queue: QueueSpec,
    private readonly connectionName: string,
  ) {}

  async connect(): Promise<void> {
    this.connection = await connectToBroker(this.url, this.connectionName);
    this.channel = await this.connection.createChannel();
    await assertTopology(this.channel, [this.queue]);
    await this.channel.consume(
      DIRECT_REPLY_QUEUE,
      (message) => {
        const correlationId = message?.properties.correlationId as string;
        const waiting = this.pending.get(correlationId);
        if (!message || !waiting) {
          return;
        }
        this.pending.delete(correlationId);
        clearTimeout(waiting.timer);
        waiting.resolve(JSON.parse(message.content.toString('utf8')));
      },
      { noAck: true },
    );
  }

  /**
   * Sends `body` and resolves with the decoded reply, or with `null` when no
   * reply arrives within `timeoutMs`.
   */
  async request<T>(body: object, timeoutMs: number): Promise<T | null> {
    if (!this.channel) {
      throw new Error('RabbitRpcClient.connect() must finish before requests');
    }
    const correlationId = randomUUID();
    const reply = new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        resolve(null);
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, timer });
    });
    this.channel.sendToQueue(
      this.queue.name,
      Buffer.from(JSON.stringify(body)),
      {
        correlationId,
        replyTo: DIRECT_REPLY_QUEUE,
        contentType: 'application/json',
        expiration: String(timeoutMs),
      },
    );

    return (await reply) as T | null;
  }

  /** Closes the connection when Nest shuts the application down. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    for (const { timer, resolve } of this.pending.values()) {
      clearTimeout(timer);
      resolve(null);
    }
    this.pending.clear();
    await this.channel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
