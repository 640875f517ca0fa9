import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** Reports the broker as up while `isConnected` returns true. */
@Injectable()
export class BrokerHealthIndicator {
  constructor(private readonly indicator: HealthIndicatorService) {}

  check(key: string, isConnected: () => boolean) {
    const session = this.indicator.check(key);

    return isConnected()
      ? session.up()
      : session.down({ message: 'broker connection is closed' });
  }
}
