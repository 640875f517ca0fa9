import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QUEUES, RabbitPublisher } from '@quor/messaging';
import {
  BrokerHealthIndicator,
  createLoggerModule,
  MatcherMetrics,
  MessagingMetrics,
  MetricsModule,
} from '@quor/platform';
import {
  MATCHER_CONFIG,
  MatcherConfig,
  matcherPoolSize,
} from './config/matcher.config';
import { matcherDataSourceOptions } from './database/data-source';
import { FanOutService } from './fan-out/fan-out.service';
import { ImageUpdatedConsumer } from './fan-out/image-updated.consumer';
import { ProcessedEventRetention } from './fan-out/processed-event-retention';
import { HealthController } from './health/health.controller';
import { ReadModelConsumer } from './read-model/read-model.consumer';
import { ReadModelService } from './read-model/read-model.service';

export const SERVICE_NAME = 'webhook-matcher';

/** Queues webhook-matcher consumes. */
export const MATCHER_CONSUMED_QUEUES = [
  QUEUES.matcherImageUpdated,
  QUEUES.matcherChanges,
];

/** Queues webhook-matcher publishes into. */
export const MATCHER_PUBLISHED_QUEUES = [QUEUES.deliveryJobs];

@Module({})
export class AppModule {
  static register(config: MatcherConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        createLoggerModule(SERVICE_NAME, config.LOG_LEVEL),
        MetricsModule.forRoot(SERVICE_NAME, [MessagingMetrics, MatcherMetrics]),
        TypeOrmModule.forRoot(
          matcherDataSourceOptions(
            config.DATABASE_URL,
            matcherPoolSize(config.MATCHER_PREFETCH),
          ),
        ),
        TerminusModule,
      ],
      controllers: [HealthController, ImageUpdatedConsumer, ReadModelConsumer],
      providers: [
        { provide: MATCHER_CONFIG, useValue: config },
        {
          provide: RabbitPublisher,
          useFactory: async () => {
            const publisher = new RabbitPublisher(
              config.AMQP_URL,
              MATCHER_PUBLISHED_QUEUES,
              `${SERVICE_NAME}.publisher`,
            );
            await publisher.connect();

            return publisher;
          },
        },
        BrokerHealthIndicator,
        FanOutService,
        ProcessedEventRetention,
        ReadModelService,
      ],
    };
  }
}
