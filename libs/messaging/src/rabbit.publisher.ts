import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type Options,
} from 'amqplib';
import { assertTopology, QueueSpec } from './topology';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  body: Buffer | object;
  messageId?: string;
  headers?: Record<string, unknown>;
}

/**
 * Publishes persistent JSON messages on a confirm channel. A returned
 * promise resolves only after the broker confirmed the message, and rejects
 * when the broker refused it or could not route it to any queue.
 */
export class RabbitPublisher {
  private readonly logger = new Logger(RabbitPublisher.name);
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private readonly unroutable = new Set<string>();
  private sequence = 0;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly queues: QueueSpec[],
    private readonly connectionName: string,
  ) {}

  async connect(): Promise<void> {
    this.connection = await connect(this.url, {
      clientProperties: { connection_name: this.connectionName },
    });
    this.connection.on('error', (error: Error) =>
      this.logger.error({ err: error }, 'broker connection failed'),
    );
    this.connection.on('close', () => {
      this.channel = null;
    });
    this.channel = await this.connection.createConfirmChannel();
    await assertTopology(this.channel, this.queues);
    this.channel.on('return', (message) => {
      const correlation = message.properties.correlationId as string;
      this.unroutable.add(correlation);
    });
  }

  /** True while the connection and its confirm channel are open. */
  isConnected(): boolean {
    return this.channel !== null;
  }

  /** Publishes one message and waits for the broker's confirmation. */
  async publish(message: OutgoingMessage): Promise<void> {
    await this.publishBatch([message]);
  }

  /**
   * Publishes `messages` and waits until the broker has confirmed all of
   * them. Respects the channel's flow control, so a large batch does not
   * buffer without bound in this process.
   */
  async publishBatch(messages: OutgoingMessage[]): Promise<void> {
    const channel = this.requireChannel();
    const correlations: string[] = [];
    const confirmations: Promise<void>[] = [];

    for (const message of messages) {
      const correlationId = `${this.connectionName}-${++this.sequence}`;
      correlations.push(correlationId);
      const content = Buffer.isBuffer(message.body)
        ? message.body
        : Buffer.from(JSON.stringify(message.body));
      const options: Options.Publish = {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: message.messageId,
        correlationId,
        timestamp: Math.floor(Date.now() / 1000),
        headers: message.headers,
      };
      let written = true;
      confirmations.push(
        new Promise<void>((resolve, reject) => {
          written = channel.publish(
            message.exchange,
            message.routingKey,
            content,
            options,
            (error) => (error ? reject(error) : resolve()),
          );
        }),
      );
      if (!written) {
        await once(channel, 'drain');
      }
    }

    await Promise.all(confirmations);
    this.raiseIfUnroutable(correlations, messages);
  }

  /** Closes the connection when Nest shuts the application down. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Closes the channel, then the connection. Concurrent and repeated calls
   * share one close, because closing the connection while its channel is
   * still closing leaves that close waiting forever.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();

    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const { channel, connection } = this;
    this.channel = null;
    this.connection = null;
    await channel?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }

  private raiseIfUnroutable(
    correlations: string[],
    messages: OutgoingMessage[],
  ): void {
    const failed = correlations.flatMap((id, index) =>
      this.unroutable.delete(id) ? [messages[index]] : [],
    );
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `${failed.length} message(s) to exchange ${first.exchange} with routing key ` +
          `${first.routingKey} reached no queue; declare the consuming queue and its binding`,
      );
    }
  }

  private requireChannel(): ConfirmChannel {
    if (!this.channel) {
      throw new Error(
        'RabbitPublisher.connect() must finish before publishing',
      );
    }

    return this.channel;
  }
}
