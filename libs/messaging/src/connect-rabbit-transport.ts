import { INestApplication } from '@nestjs/common';
import { RabbitTransport, RabbitTransportOptions } from './rabbit.transport';

/**
 * Attaches the RabbitMQ consumers to `app`. HTTP pipes and filters are not
 * inherited: message handlers validate their own input, and consumers
 * declared with `@RabbitConsumer()` pass their errors to the transport.
 */
export function connectRabbitTransport(
  app: INestApplication,
  options: RabbitTransportOptions,
): void {
  app.connectMicroservice(
    { strategy: new RabbitTransport(options) },
    { inheritAppConfig: false },
  );
}
