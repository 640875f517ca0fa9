import type { Channel } from 'amqplib';

/** Exchange of the platform: image events, subscriptions and plans. */
export const EVENTS_EXCHANGE = 'quor.events';
/** Exchange between the webhook services: changes, jobs and records. */
export const WEBHOOKS_EXCHANGE = 'quor.webhooks';
/** Exchange and queue that keep every message no consumer could process. */
export const DEAD_LETTER_EXCHANGE = 'quor.dead-letter';
export const DEAD_LETTER_QUEUE = 'quor.dead-letter';

/** Header that carries why a message was dead-lettered. */
export const DEAD_LETTER_REASON_HEADER = 'x-quor-dead-letter-reason';

/**
 * How often a quorum queue hands out one message before it dead-letters it.
 * Consumers reject only messages that failed for a transient reason (the
 * database was down, say), so this bounds a message that fails forever.
 */
export const DELIVERY_LIMIT = 20;

export interface Binding {
  exchange: string;
  routingKey: string;
}

export interface QueueSpec {
  name: string;
  bindings: Binding[];
  /** Queue arguments that replace the quorum-queue defaults. */
  arguments?: Record<string, unknown>;
}

/** How long a job for a busy destination waits before it is handed out again. */
export const DEFERRED_JOB_DELAY_MS = 2_000;

/**
 * How long a job for a stalled destination waits before it is handed out
 * again. It is longer than the attempt's hard deadline (10 s by default),
 * so the attempts that stalled the destination have ended by then. A
 * hanging endpoint then costs each worker one consume and one publish per
 * job every 15 s instead of every 2 s.
 */
export const STALLED_JOB_DELAY_MS = 15_000;

export const QUEUES = {
  matcherImageUpdated: {
    name: 'webhook-matcher.image-updated',
    bindings: [{ exchange: EVENTS_EXCHANGE, routingKey: 'image.updated' }],
  },
  matcherChanges: {
    name: 'webhook-matcher.changes',
    bindings: [
      { exchange: EVENTS_EXCHANGE, routingKey: 'subscription.created' },
      { exchange: EVENTS_EXCHANGE, routingKey: 'subscription.deleted' },
      { exchange: EVENTS_EXCHANGE, routingKey: 'organization.plan_changed' },
      { exchange: WEBHOOKS_EXCHANGE, routingKey: 'webhook.changed' },
    ],
  },
  configPlatform: {
    name: 'webhook-config.platform',
    bindings: [
      { exchange: EVENTS_EXCHANGE, routingKey: 'subscription.created' },
      { exchange: EVENTS_EXCHANGE, routingKey: 'subscription.deleted' },
      { exchange: EVENTS_EXCHANGE, routingKey: 'organization.plan_changed' },
    ],
  },
  configDeliveryRecords: {
    name: 'webhook-config.delivery-records',
    bindings: [
      { exchange: WEBHOOKS_EXCHANGE, routingKey: 'delivery.completed' },
    ],
  },
  deliveryJobs: {
    name: 'webhook-delivery.jobs',
    bindings: [
      { exchange: WEBHOOKS_EXCHANGE, routingKey: 'delivery.requested' },
    ],
  },
  deliveryTestConnection: {
    name: 'webhook-delivery.test-connection',
    bindings: [],
  },
  /**
   * Jobs whose destination had no free slot wait here, then return to
   * `delivery.requested`, so they hold no worker's prefetch meanwhile.
   */
  deliveryDeferred: {
    name: 'webhook-delivery.deferred',
    bindings: [],
    arguments: {
      'x-queue-type': 'classic',
      'x-message-ttl': DEFERRED_JOB_DELAY_MS,
      'x-dead-letter-exchange': WEBHOOKS_EXCHANGE,
      'x-dead-letter-routing-key': 'delivery.requested',
    },
  },
  /**
   * Jobs whose destination finished no attempt for a while wait here,
   * longer than in `deliveryDeferred`, then return to `delivery.requested`.
   */
  deliveryStalled: {
    name: 'webhook-delivery.stalled',
    bindings: [],
    arguments: {
      'x-queue-type': 'classic',
      'x-message-ttl': STALLED_JOB_DELAY_MS,
      'x-dead-letter-exchange': WEBHOOKS_EXCHANGE,
      'x-dead-letter-routing-key': 'delivery.requested',
    },
  },
} satisfies Record<string, QueueSpec>;

/**
 * Declares the exchanges, the dead-letter queue and `queues` with their
 * bindings. Every declaration is idempotent, so each service declares what
 * it consumes and what it publishes into, whatever order they start in, and
 * no message is dropped for want of a queue.
 */
export async function assertTopology(
  channel: Channel,
  queues: QueueSpec[],
): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(WEBHOOKS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'topic', {
    durable: true,
  });
  await channel.assertQueue(DEAD_LETTER_QUEUE, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '#');

  for (const queue of queues) {
    await channel.assertQueue(queue.name, {
      durable: true,
      arguments: queue.arguments ?? {
        'x-queue-type': 'quorum',
        'x-delivery-limit': DELIVERY_LIMIT,
        'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      },
    });
    for (const binding of queue.bindings) {
      await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
    }
  }
}
