import { INestApplication } from '@nestjs/common';
import { connectRabbitTransport, QUEUES } from '@quor/messaging';
import { createHttpApplication, MessagingMetrics } from '@quor/platform';
import { AppModule, DELIVERY_PUBLISHED_QUEUES } from './app.module';
import { DeliveryServiceConfig } from './config/delivery.config';

/**
 * Maximum time a job in flight may take on shutdown: the attempt's hard deadline
 * plus publishing its record.
 */
export const SHUTDOWN_TIMEOUT_MS = 15_000;

/** Builds webhook-delivery: job and test-connection consumers, health on HTTP. */
export async function createDeliveryApplication(
  config: DeliveryServiceConfig,
): Promise<INestApplication> {
  const app = await createHttpApplication(AppModule.register(config));
  connectRabbitTransport(app, {
    url: config.AMQP_URL,
    consume: [QUEUES.deliveryJobs, QUEUES.deliveryTestConnection],
    declare: DELIVERY_PUBLISHED_QUEUES,
    prefetch: config.DELIVERY_CONCURRENCY,
    connectionName: 'webhook-delivery.consumer',
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    ...app.get(MessagingMetrics).transportHooks(),
  });

  return app;
}
