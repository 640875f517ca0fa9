import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EgressOptions, SafeHttpClient } from '@quor/egress';
import { QUEUES, RabbitPublisher } from '@quor/messaging';
import {
  BrokerHealthIndicator,
  createLoggerModule,
  DeliveryMetrics,
  MessagingMetrics,
  MetricsModule,
} from '@quor/platform';
import { readExtraCaFile } from './config/extra-ca-file';
import { CONFIG, DeliveryServiceConfig } from './config/delivery.config';
import { DeliveryAttemptService } from './deliveries/delivery-attempt.service';
import { DeliveryJobConsumer } from './deliveries/delivery-job.consumer';
import { USER_AGENT } from './deliveries/delivery-request';
import { DestinationLimiter } from './deliveries/destination-limiter';
import { HealthController } from './health/health.controller';
import {
  TEST_CONNECTION_CLIENT,
  TEST_CONNECTION_DEADLINE_MS,
  TestConnectionConsumer,
} from './test-connection/test-connection.consumer';

/** Queues webhook-delivery publishes into. */
export const DELIVERY_PUBLISHED_QUEUES = [
  QUEUES.configDeliveryRecords,
  QUEUES.deliveryDeferred,
  QUEUES.deliveryStalled,
];

function egressOptions(config: DeliveryServiceConfig): EgressOptions {
  return {
    allowLoopback: config.EGRESS_ALLOW_LOOPBACK,
    extraCaCertificates: readExtraCaFile(config.EGRESS_EXTRA_CA_FILE),
    userAgent: USER_AGENT,
  };
}

@Module({})
export class AppModule {
  static register(config: DeliveryServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        createLoggerModule('webhook-delivery', config.LOG_LEVEL),
        MetricsModule.forRoot('webhook-delivery', [
          MessagingMetrics,
          DeliveryMetrics,
        ]),
        TerminusModule,
      ],
      controllers: [
        DeliveryJobConsumer,
        TestConnectionConsumer,
        HealthController,
      ],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: SafeHttpClient,
          useFactory: () => new SafeHttpClient(egressOptions(config)),
        },
        {
          provide: TEST_CONNECTION_CLIENT,
          useFactory: () =>
            new SafeHttpClient({
              ...egressOptions(config),
              hardDeadlineMs: TEST_CONNECTION_DEADLINE_MS,
            }),
        },
        {
          provide: RabbitPublisher,
          useFactory: async () => {
            const publisher = new RabbitPublisher(
              config.AMQP_URL,
              DELIVERY_PUBLISHED_QUEUES,
              'webhook-delivery.publisher',
            );
            await publisher.connect();

            return publisher;
          },
        },
        {
          provide: DestinationLimiter,
          useFactory: () =>
            new DestinationLimiter(
              config.DELIVERY_PER_DESTINATION_CONCURRENCY,
              {
                // A quarter of the worker's slots at most go to probes of
                // stalled destinations.
                maxProbes: Math.max(
                  1,
                  Math.floor(config.DELIVERY_CONCURRENCY / 4),
                ),
                // The prefetch contains at most this many jobs anyway.
                maxWaiting: config.DELIVERY_CONCURRENCY,
              },
            ),
        },
        BrokerHealthIndicator,
        DeliveryAttemptService,
      ],
    };
  }
}
