import {
  DELIVERY_COMPLETED,
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  DeliveryRecordMessage,
} from '@quor/contracts';
import { assertTopology, QUEUES, WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function rabbitmqctl(...args: string[]): Promise<void> {
  try {
    await run('rabbitmqctl', args, { timeout: 30_000 });
  } catch (error) {
    throw new Error(
      `rabbitmqctl ${args.join(' ')} failed (${(error as Error).message}); ` +
        'the benchmark creates a virtual host of its own, so run it on the ' +
        'broker host as a user that may run rabbitmqctl',
    );
  }
}

/** A RabbitMQ virtual host that only this benchmark run uses. */
export interface BenchVirtualHost {
  amqpUrl: string;
  remove(): Promise<void>;
}

/**
 * Creates the virtual host `quor_delivery_bench_<pid>` on the broker of
 * `baseUrl`, so the benchmark's jobs reach no other worker and its records
 * reach no webhook-config.
 */
export async function createBenchVirtualHost(
  baseUrl: string,
): Promise<BenchVirtualHost> {
  const name = `quor_delivery_bench_${process.pid}`;
  const user = decodeURIComponent(new URL(baseUrl).username) || 'guest';
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, user, '.*', '.*', '.*');
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;

  return {
    amqpUrl: url.toString(),
    remove: () => rabbitmqctl('delete_vhost', name).catch(() => undefined),
  };
}

/** Counts of the records that arrived for one set of attempt ids. */
export interface RecordTally {
  count: number;
  outcomes: Record<string, number>;
  firstAt: number;
  lastAt: number;
}

/**
 * Publishes delivery jobs and counts the records the worker publishes,
 * read through an exclusive queue bound to `delivery.completed`.
 */
export class BenchBroker {
  private readonly tallies = new Map<string, RecordTally>();
  private readonly groupOf = new Map<string, string>();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async connect(amqpUrl: string): Promise<BenchBroker> {
    const connection = await connect(amqpUrl, {
      clientProperties: { connection_name: 'webhook-delivery.bench' },
    });
    const channel = await connection.createConfirmChannel();
    await assertTopology(channel, [
      QUEUES.deliveryJobs,
      QUEUES.deliveryDeferred,
      QUEUES.deliveryStalled,
      QUEUES.configDeliveryRecords,
    ]);
    const broker = new BenchBroker(connection, channel);

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
      (message) => {
        if (message) {
          broker.count(
            JSON.parse(
              message.content.toString('utf8'),
            ) as DeliveryRecordMessage,
          );
        }
      },
      { noAck: true },
    );

    return broker;
  }

  /** Empties the queues a worker consumes and publishes into. */
  async purge(): Promise<void> {
    for (const queue of [
      QUEUES.deliveryJobs,
      QUEUES.deliveryDeferred,
      QUEUES.deliveryStalled,
      QUEUES.configDeliveryRecords,
    ]) {
      await this.channel.purgeQueue(queue.name);
    }
  }

  /** Counts the records of `jobs` under `group` from now on. */
  track(group: string, jobs: DeliveryJobMessage[]): void {
    this.tallies.set(group, { count: 0, outcomes: {}, firstAt: 0, lastAt: 0 });
    for (const job of jobs) {
      this.groupOf.set(job.attempt_id, group);
    }
  }

  /** Publishes `jobs` in order and waits for the broker's confirmations. */
  async publishJobs(jobs: DeliveryJobMessage[]): Promise<void> {
    for (const job of jobs) {
      const written = this.channel.publish(
        WEBHOOKS_EXCHANGE,
        DELIVERY_REQUESTED,
        Buffer.from(JSON.stringify(job)),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: job.attempt_id,
        },
      );
      if (!written) {
        await new Promise((resolve) => this.channel.once('drain', resolve));
      }
    }
    await this.channel.waitForConfirms();
  }

  tally(group: string): RecordTally {
    return (
      this.tallies.get(group) ?? {
        count: 0,
        outcomes: {},
        firstAt: 0,
        lastAt: 0,
      }
    );
  }

  /** Resolves once `group` has `count` records, or after `timeoutMs`. */
  async waitForRecords(
    group: string,
    count: number,
    timeoutMs: number,
  ): Promise<RecordTally> {
    const deadline = Date.now() + timeoutMs;
    while (this.tally(group).count < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    return this.tally(group);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private count(record: DeliveryRecordMessage): void {
    const group = this.groupOf.get(record.attempt_id);
    const tally = group ? this.tallies.get(group) : undefined;
    if (!tally) {
      return;
    }
    const now = performance.now();
    tally.count += 1;
    tally.outcomes[record.outcome] = (tally.outcomes[record.outcome] ?? 0) + 1;
    tally.firstAt ||= now;
    tally.lastAt = now;
  }
}
