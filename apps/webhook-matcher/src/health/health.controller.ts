import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { RabbitPublisher } from '@quor/messaging';
import { BrokerHealthIndicator } from '@quor/platform';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
    private readonly publisher: RabbitPublisher,
  ) {}

  /** Reports that the process is up and serving HTTP. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Checks that PostgreSQL responds and that the publisher's broker connection is open. */
  @Get('ready')
  // Without swaggerDocumentation, terminus does not load @nestjs/swagger,
  // which this service has no use for.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1_500 }),
      () => this.broker.check('broker', () => this.publisher.isConnected()),
    ]);
  }
}
