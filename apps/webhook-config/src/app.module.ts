import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QUEUES, RabbitPublisher, RabbitRpcClient } from '@quor/messaging';
import {
  BrokerHealthIndicator,
  ConfigServiceMetrics,
  createLoggerModule,
  MessagingMetrics,
  MetricsModule,
  OUTBOX_PENDING_READER,
} from '@quor/platform';
import { DataSource } from 'typeorm';
import { BearerTokenGuard } from './auth/bearer-token.guard';
import { CONFIG, ConfigServiceConfig } from './config/config-service.config';
import { configDataSourceOptions } from './database/data-source';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryRecordConsumer } from './deliveries/delivery-record.consumer';
import { DeliveryRequestsService } from './deliveries/delivery-requests.service';
import { RetentionService } from './deliveries/retention.service';
import { MaintenanceScheduler } from './maintenance/maintenance.scheduler';
import { SecretRotationService } from './webhooks/secret-rotation.service';
import { HealthController } from './health/health.controller';
import { OrganizationsController } from './organizations/organizations.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { PlatformConsumer } from './organizations/platform.consumer';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxWriter } from './outbox/outbox.writer';
import { OutboundTestQuota } from './webhooks/outbound-test-quota.service';
import { TestConnectionService } from './webhooks/test-connection.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/** Queues webhook-config publishes into through its outbox. */
export const CONFIG_PUBLISHED_QUEUES = [
  QUEUES.matcherChanges,
  QUEUES.deliveryJobs,
];

@Module({})
export class AppModule {
  static register(config: ConfigServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        createLoggerModule('webhook-config', config.LOG_LEVEL),
        MetricsModule.forRoot('webhook-config', [
          MessagingMetrics,
          ConfigServiceMetrics,
        ]),
        TypeOrmModule.forRoot(configDataSourceOptions(config.DATABASE_URL)),
        JwtModule.register({
          secret: config.JWT_SECRET,
          verifyOptions: { algorithms: ['HS256'] },
        }),
        TerminusModule,
      ],
      controllers: [
        WebhooksController,
        DeliveriesController,
        OrganizationsController,
        HealthController,
        PlatformConsumer,
        DeliveryRecordConsumer,
      ],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          // Read at each scrape of /metrics for quor_outbox_pending.
          provide: OUTBOX_PENDING_READER,
          useFactory: (dataSource: DataSource) => async () => {
            const [row] = (await dataSource.query(
              'SELECT count(*)::int AS pending FROM outbox',
            )) as { pending: number }[];

            return row.pending;
          },
          inject: [DataSource],
        },
        {
          provide: RabbitPublisher,
          useFactory: async () => {
            const publisher = new RabbitPublisher(
              config.AMQP_URL,
              CONFIG_PUBLISHED_QUEUES,
              'webhook-config.publisher',
            );
            await publisher.connect();

            return publisher;
          },
        },
        {
          provide: RabbitRpcClient,
          useFactory: async () => {
            const client = new RabbitRpcClient(
              config.AMQP_URL,
              QUEUES.deliveryTestConnection,
              'webhook-config.test-connection',
            );
            await client.connect();

            return client;
          },
        },
        BearerTokenGuard,
        BrokerHealthIndicator,
        OrganizationsService,
        OutboxWriter,
        OutboxRelay,
        MaintenanceScheduler,
        RetentionService,
        SecretRotationService,
        DeliveryRequestsService,
        WebhooksService,
        TestConnectionService,
        OutboundTestQuota,
        DeliveriesService,
      ],
    };
  }
}
