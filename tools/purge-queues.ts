import { connect } from 'amqplib';
import { DEAD_LETTER_QUEUE, QUEUES } from '@quor/messaging';

/** Every queue the webhook services declare, the dead-letter queue included. */
export const WEBHOOK_QUEUES = [
  ...Object.values(QUEUES).map((queue) => queue.name),
  DEAD_LETTER_QUEUE,
];

/**
 * Empties every webhook queue on the broker at `amqpUrl`, so that a test run
 * or the demo starts without work left by an earlier run, and no job from a
 * test can reach a delivery worker started later. A queue that does not
 * exist yet is skipped.
 */
export async function purgeWebhookQueues(amqpUrl: string): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    for (const queue of WEBHOOK_QUEUES) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.purgeQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}
