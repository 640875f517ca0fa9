import {
  CustomTransportStrategy,
  MessageHandler,
  Server,
} from '@nestjs/microservices';
import { InvalidMessageError } from '@quor/contracts';
import {
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';
import { isObservable, lastValueFrom } from 'rxjs';
import { connectToBroker } from './connect-broker';
import { RabbitContext } from './rabbit.context';
import { RequeueError } from './requeue.error';
import {
  assertTopology,
  DEAD_LETTER_EXCHANGE,
  DEAD_LETTER_REASON_HEADER,
  QueueSpec,
} from './topology';

export interface RabbitTransportOptions {
  url: string;
  /** Queues this service consumes; handlers are matched by routing key. */
  consume: QueueSpec[];
  /** Queues this service publishes into, declared so nothing is dropped. */
  declare: QueueSpec[];
  /** Unacknowledged messages per queue at a time. */
  prefetch: number;
  connectionName: string;
  /** How long `close()` waits for handlers in flight. */
  shutdownTimeoutMs?: number;
  /** Pause before a transiently failed message goes back to the queue. */
  requeueDelayMs?: number;
  /** Called after a handler returned and its message was acknowledged. */
  onConsumed?: (queue: string, routingKey: string) => void;
  /** Called after a message was copied to the dead-letter exchange. */
  onDeadLetter?: (queue: string, routingKey: string) => void;
}

/**
 * NestJS transport for RabbitMQ with explicit outcomes. A handler that
 * returns acknowledges its message. A handler that throws
 * `InvalidMessageError` dead-letters it with the reason in a header. One
 * that throws `RequeueError` requeues it at once, and any other error
 * requeues it after a pause, up to the queue's delivery limit.
 * For a request that carries `replyTo`, the handler's return value is sent
 * back as the reply.
 */
export class RabbitTransport extends Server implements CustomTransportStrategy {
  private connection: ChannelModel | null = null;
  private readonly channels: {
    channel: ConfirmChannel;
    consumerTag: string;
  }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Handlers by routing key. Nest's lookup tries JSON.parse on every
   * pattern and throws for plain routing keys, which costs more than the
   * rest of the dispatch. Only keys with a handler are kept, so messages
   * with made-up routing keys cannot grow the map.
   */
  private readonly handlersByRoutingKey = new Map<string, MessageHandler>();
  private closing = false;

  constructor(private readonly options: RabbitTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const { channel, consumerTag } of this.channels) {
      await channel.cancel(consumerTag).catch(() => undefined);
    }

    const timeout = this.options.shutdownTimeoutMs ?? 15_000;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => setTimeout(resolve, timeout).unref()),
    ]);

    // Closing the channels hands unacknowledged messages back to the broker.
    for (const { channel } of this.channels) {
      await channel.close().catch(() => undefined);
    }
    await this.connection?.close().catch(() => undefined);
    this.connection = null;
    this.logger.log(`consumers of ${this.queueNames()} stopped`);
  }

  on(): never {
    throw new Error('RabbitTransport does not support event listeners');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  private async start(): Promise<void> {
    this.connection = await connectToBroker(
      this.options.url,
      this.options.connectionName,
    );
    this.connection.on('error', (error: Error) =>
      this.logger.error(`broker connection failed: ${error.message}`),
    );
    this.connection.on('close', () => {
      if (!this.closing) {
        // Without a connection no message can be acknowledged; exiting lets
        // the supervisor restart the process with a fresh connection.
        this.logger.error('broker connection closed unexpectedly; exiting');
        process.exit(1);
      }
    });

    const setup = await this.connection.createChannel();
    await assertTopology(setup, [
      ...this.options.consume,
      ...this.options.declare,
    ]);
    await setup.close();

    for (const queue of this.options.consume) {
      await this.consumeQueue(queue.name);
    }
    this.logger.log(`consuming ${this.queueNames()}`);
  }

  private async consumeQueue(queue: string): Promise<void> {
    const channel = await this.requireConnection().createConfirmChannel();
    await channel.prefetch(this.options.prefetch);
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (!message) {
        this.logger.error(`consumer of ${queue} was cancelled by the broker`);
        return;
      }
      const work = this.handleMessage(channel, queue, message);
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.channels.push({ channel, consumerTag });
  }

  private async handleMessage(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
  ): Promise<void> {
    const routingKey = message.fields.routingKey;
    const handler = this.handlerFor(routingKey);
    if (!handler) {
      await this.deadLetter(
        channel,
        queue,
        message,
        `no handler for routing key ${routingKey} on queue ${queue}`,
      );
      return;
    }

    try {
      const context = new RabbitContext([message, queue]);
      const returned = await handler(message.content, context);
      const result = isObservable(returned)
        ? await lastValueFrom(returned, { defaultValue: undefined })
        : returned;
      this.reply(channel, message, result);
      channel.ack(message);
      this.notify(() => this.options.onConsumed?.(queue, routingKey));
    } catch (error) {
      if (error instanceof InvalidMessageError) {
        await this.deadLetter(channel, queue, message, error.reason);
        return;
      }
      if (error instanceof RequeueError) {
        this.logger.warn(
          {
            message_id: message.properties.messageId ?? '(no id)',
            queue,
            reason: error.message,
          },
          'message handed back to the queue',
        );
        channel.nack(message, false, true);
        return;
      }
      this.logger.error(
        {
          message_id: message.properties.messageId ?? '(no id)',
          queue,
          err: error,
        },
        'message failed and goes back to the queue',
      );
      const delay = this.options.requeueDelayMs ?? 1_000;
      await new Promise((resolve) => setTimeout(resolve, delay));
      channel.nack(message, false, true);
    }
  }

  private handlerFor(routingKey: string): MessageHandler | null {
    let handler = this.handlersByRoutingKey.get(routingKey) ?? null;
    if (!handler) {
      handler = this.getHandlerByPattern(routingKey);
      if (handler) {
        this.handlersByRoutingKey.set(routingKey, handler);
      }
    }

    return handler;
  }

  private reply(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    result: unknown,
  ) {
    const { replyTo, correlationId } = message.properties;
    if (!replyTo) {
      return;
    }
    channel.sendToQueue(replyTo, Buffer.from(JSON.stringify(result ?? null)), {
      correlationId,
      contentType: 'application/json',
    });
  }

  /**
   * Copies the message to the dead-letter exchange with the reason, then
   * acknowledges the original, so the queue moves on. Logged once here.
   */
  private async deadLetter(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    reason: string,
  ): Promise<void> {
    const messageId = message.properties.messageId ?? '(no id)';
    this.logger.warn(
      {
        message_id: messageId,
        queue,
        routing_key: message.fields.routingKey,
        event_id: readEventId(message.content),
        reason,
      },
      'message dead-lettered',
    );
    await new Promise<void>((resolve, reject) =>
      channel.publish(
        DEAD_LETTER_EXCHANGE,
        message.fields.routingKey,
        message.content,
        {
          ...message.properties,
          persistent: true,
          headers: {
            ...message.properties.headers,
            [DEAD_LETTER_REASON_HEADER]: reason,
            'x-quor-original-exchange': message.fields.exchange,
            'x-quor-original-queue': queue,
          },
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    channel.ack(message);
    this.notify(() =>
      this.options.onDeadLetter?.(queue, message.fields.routingKey),
    );
  }

  /**
   * Runs an option hook. Its error is logged and not raised, because the
   * message is already acknowledged and must not be rejected again.
   */
  private notify(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      this.logger.error({ err: error }, 'message hook failed');
    }
  }

  private requireConnection(): ChannelModel {
    if (!this.connection) {
      throw new Error('RabbitTransport is not connected');
    }

    return this.connection;
  }

  private queueNames(): string {
    return this.options.consume.map((queue) => queue.name).join(', ');
  }
}

/**
 * Returns the `event_id` of a message body that is a JSON object with a
 * string `event_id`, or null. A dead-letter log line uses it to name the
 * event.
 */
export function readEventId(content: Buffer): string | null {
  try {
    const body: unknown = JSON.parse(content.toString('utf8'));
    const eventId = (body as { event_id?: unknown } | null)?.event_id;

    return typeof eventId === 'string' ? eventId.slice(0, 200) : null;
  } catch {
    return null;
  }
}
