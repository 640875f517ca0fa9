import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { OrganizationsService } from './organizations.service';

/** How often ended trials are looked for. */
export const TRIAL_CHECK_INTERVAL_MS = 60_000;

/** Enforces the limit of ended trials even when no request arrives. */
@Injectable()
export class TrialExpiryScheduler
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(TrialExpiryScheduler.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly organizations: OrganizationsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), TRIAL_CHECK_INTERVAL_MS);
    this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }

  private tick(): void {
    if (this.running) {
      return;
    }
    this.running = this.organizations
      .enforceExpiredTrials(new Date())
      .then((count) => {
        if (count > 0) {
          this.logger.log({ organizations: count }, 'ended trials enforced');
        }
      })
      .catch((error) =>
        this.logger.error({ err: error }, 'ended trial check failed'),
      )
      .finally(() => {
        this.running = null;
      });
  }
}
