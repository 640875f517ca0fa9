import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { RabbitPublisher } from '@quor/messaging';
import { BrokerHealthIndicator } from '@quor/platform';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
    private readonly publisher: RabbitPublisher,
  ) {}

  /** Returns ok while the process serves HTTP. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Checks that the broker connection is open; the worker has no database to check. */
  @Get('ready')
  // Without swaggerDocumentation, terminus does not load @nestjs/swagger,
  // which this service has no use for.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready() {
    return this.health.check([
      () => this.broker.check('broker', () => this.publisher.isConnected()),
    ]);
  }
}
