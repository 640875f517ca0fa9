import { Controller, Get, UseFilters } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { RabbitPublisher } from '@quor/messaging';
import {
  BrokerHealthIndicator,
  HealthCheckFailureFilter,
} from '@quor/platform';

@Controller('health')
@UseFilters(HealthCheckFailureFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly broker: BrokerHealthIndicator,
    private readonly publisher: RabbitPublisher,
  ) {}

  /** Returns ok while the process serves HTTP. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Checks that PostgreSQL accepts queries and the broker connection is open. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1_500 }),
      () => this.broker.check('broker', () => this.publisher.isConnected()),
    ]);
  }
}
