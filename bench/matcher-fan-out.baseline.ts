/**
 * Baseline of the matcher fan-out benchmark: the work a fan-out cannot
 * avoid, measured without the matcher.
 */
import { DELIVERY_REQUESTED } from '@quor/contracts';
import { WEBHOOKS_EXCHANGE } from '@quor/messaging';
import type { ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Client } from 'pg';

/** The bare matching query of the matcher, returning what a job needs. */
const MATCHING_QUERY = `
  SELECT w.id, w.organization_id, w.url, w.secrets
  FROM subscription s
  JOIN organization_plan p ON p.organization_id = s.organization_id
  JOIN webhook w ON w.organization_id = s.organization_id
  WHERE s.registry = $1 AND s.image = $2 AND s.subscribed
    AND (p.plan = 'enterprise'
      OR (p.plan = 'trial' AND (p.trial_started_at IS NULL
        OR now() < p.trial_started_at + make_interval(days => 14))))
    AND w.enabled AND NOT w.deleted
    AND 'image.updated' = ANY (w.event_types)
    AND (w.all_images OR EXISTS (
      SELECT 1 FROM webhook_image i
      WHERE i.webhook_id = w.id AND i.registry = $1 AND i.image = $2))`;

/** Times the bare matching query, reading every row. */
export async function measureQuery(
  db: Client,
  registry: string,
  image: string,
): Promise<number> {
  const started = performance.now();
  const result = await db.query(MATCHING_QUERY, [registry, image]);
  const seconds = (performance.now() - started) / 1000;
  if (result.rowCount === 0) {
    throw new Error('the matching query found no webhook');
  }

  return seconds;
}

/**
 * Publishes `count` messages of `bytes` bytes on a confirm channel with
 * flow control and waits for every confirmation. Returns the time taken
 * and the CPU time this process used meanwhile.
 */
export async function measurePublish(
  amqp: ChannelModel,
  count: number,
  bytes: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const channel = await amqp.createConfirmChannel();
  const content = Buffer.alloc(bytes, 'x');

  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  for (let index = 0; index < count; index += 1) {
    const written = channel.publish(
      WEBHOOKS_EXCHANGE,
      DELIVERY_REQUESTED,
      content,
      {
        persistent: true,
        contentType: 'application/json',
        messageId: randomUUID(),
      },
    );
    if (!written) {
      await once(channel, 'drain');
    }
  }
  await channel.waitForConfirms();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  await channel.close();

  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
