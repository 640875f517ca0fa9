import { INestApplication } from '@nestjs/common';
import { connectRabbitTransport, QUEUES } from '@quor/messaging';
import { createHttpApplication, MessagingMetrics } from '@quor/platform';
import { AppModule, CONFIG_PUBLISHED_QUEUES } from './app.module';
import { ConfigServiceConfig } from './config/config-service.config';
import { HttpExceptionFilter } from './errors/http-exception.filter';
import { jsonBody } from './errors/json-body.middleware';
import { createValidationPipe } from './errors/validation.pipe';
import { setupOpenApi } from './openapi/setup-openapi';

/** Largest request body the API reads. */
export const BODY_LIMIT = '64kb';

/**
 * Builds webhook-config: the REST API with its body limit, validation,
 * error mapping and OpenAPI document, and the consumers of platform
 * messages and delivery records. The caller starts it.
 */
export async function createConfigApplication(
  config: ConfigServiceConfig,
): Promise<INestApplication> {
  const app = await createHttpApplication(AppModule.register(config), {
    bodyParser: false,
  });
  app.use(jsonBody(BODY_LIMIT));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  setupOpenApi(app);
  connectRabbitTransport(app, {
    url: config.AMQP_URL,
    consume: [QUEUES.configPlatform, QUEUES.configDeliveryRecords],
    declare: CONFIG_PUBLISHED_QUEUES,
    prefetch: 32,
    connectionName: 'webhook-config.consumer',
    ...app.get(MessagingMetrics).transportHooks(),
  });

  return app;
}
