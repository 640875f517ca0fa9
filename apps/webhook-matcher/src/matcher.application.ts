import { INestApplication } from '@nestjs/common';
import { RabbitTransport } from '@quor/messaging';
import {
  createHttpApplication,
  MatcherMetrics,
  MessagingMetrics,
} from '@quor/platform';
import {
  AppModule,
  MATCHER_CONSUMED_QUEUES,
  MATCHER_PUBLISHED_QUEUES,
  SERVICE_NAME,
} from './app.module';
import { MatcherConfig } from './config/matcher.config';

/**
 * Creates the webhook-matcher application with its RabbitMQ consumers
 * attached but not started; the caller starts them and the HTTP server.
 */
export async function createMatcherApplication(
  config: MatcherConfig,
): Promise<INestApplication> {
  const app = await createHttpApplication(AppModule.register(config));
  app.connectMicroservice(
    {
      strategy: new RabbitTransport({
        url: config.AMQP_URL,
        consume: MATCHER_CONSUMED_QUEUES,
        declare: MATCHER_PUBLISHED_QUEUES,
        prefetch: config.MATCHER_PREFETCH,
        connectionName: `${SERVICE_NAME}.consumer`,
        ...app.get(MessagingMetrics).transportHooks(),
        ...app.get(MatcherMetrics).transportHooks(),
      }),
    },
    { inheritAppConfig: true },
  );

  return app;
}
