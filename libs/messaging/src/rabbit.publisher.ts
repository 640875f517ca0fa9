import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { connectToBroker } from './connect-broker';
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
    const connection = await connectToBroker(this.url, this.connectionName);
    this.connection = connection;
    connection.on('error', (error: Error) =>
      this.logger.error({ err: error }, 'broker connection failed'),
    );
    connection.on('close', () => {
      if (this.connection === connection) {
        this.connection = null;
        this.channel = null;
      }
    });
    this.channel = await this.openChannel(connection);
    await assertTopology(this.channel, this.queues);
  }

  /**
   * Opens the confirm channel. After a channel error, such as a publish to
   * a missing exchange, the broker closes the channel but not the
   * connection. The messages pending on that channel are rejected, and a
   * new channel replaces it, so one bad publish does not stop later ones.
   */
  private async openChannel(connection: ChannelModel): Promise<ConfirmChannel> {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) =>
      this.logger.error(
        { err: error },
        'broker closed the publishing channel; opening a new one',
      ),
    );
    channel.on('return', (message) => {
      const correlation = message.properties.correlationId as string;
      this.unroutable.add(correlation);
    });
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = null;
      }
      // A closing connection closes its channels first. By the next turn
      // the connection's close handler has cleared this.connection.
      setImmediate(() => {
        if (this.connection === connection && !this.closing) {
          this.reopenChannel(connection);
        }
      });
    });

    return channel;
  }

  private reopenChannel(connection: ChannelModel): void {
    this.openChannel(connection).then(
      (channel) => {
        if (this.connection === connection && !this.closing) {
          this.channel = channel;
        } else {
          channel.close().catch(() => undefined);
        }
      },
      (error: unknown) =>
        this.logger.error(
          { err: error },
          'opening a new publishing channel failed',
        ),
    );
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
    const timestamp = Math.floor(Date.now() / 1000);
    // One callback counts the confirmations of the whole batch. amqplib
    // calls it once per message, with an error for a message the broker
    // rejected or that was pending when the channel closed.
    let pending = messages.length;
    let failure: Error | null = null;
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const confirm = (error: unknown) => {
      if (error && !failure) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      pending -= 1;
      if (pending === 0) {
        settle();
      }
    };

    for (const message of messages) {
      const correlationId = `${this.connectionName}-${++this.sequence}`;
      correlations.push(correlationId);
      const content = Buffer.isBuffer(message.body)
        ? message.body
        : Buffer.from(JSON.stringify(message.body));
      const written = channel.publish(
        message.exchange,
        message.routingKey,
        content,
        {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: message.messageId,
          correlationId,
          timestamp,
          headers: message.headers,
        },
        confirm,
      );
      if (!written) {
        await this.waitForDrain(channel);
      }
    }

    if (messages.length > 0) {
      await settled;
    }
    if (failure) {
      throw failure;
    }
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

  /**
   * Waits until the channel takes writes again. It races the channel's
   * 'drain' with its 'close' and rejects on close, because a closed
   * channel emits no further 'drain'.
   */
  private async waitForDrain(channel: ConfirmChannel): Promise<void> {
    const abort = new AbortController();
    try {
      await Promise.race([
        once(channel, 'drain', { signal: abort.signal }),
        once(channel, 'close', { signal: abort.signal }).then(() => {
          throw new Error(
            'the broker channel closed while publishing; the unconfirmed messages were not stored',
          );
        }),
      ]);
    } finally {
      abort.abort();
    }
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
        'no open broker channel to publish on: connect() has not finished, ' +
          'or the broker connection or channel closed; the message was not sent',
      );
    }

    return this.channel;
  }
}
