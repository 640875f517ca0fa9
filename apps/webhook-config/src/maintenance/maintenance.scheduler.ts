import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicTask } from '@quor/platform';
import { RetentionService } from '../deliveries/retention.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { OutboundTestQuota } from '../webhooks/outbound-test-quota.service';
import { SecretRotationService } from '../webhooks/secret-rotation.service';

/** How often the maintenance tasks run. */
export const MAINTENANCE_INTERVAL_MS = 60_000;

/**
 * Runs time-driven work even when no request arrives: ends expired trials,
 * ends secret rotation overlaps, prunes old delivery records and old
 * counts of test requests. Every
 * task is idempotent, so several replicas may run it at once.
 */
@Injectable()
export class MaintenanceScheduler
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(MaintenanceScheduler.name);
  private readonly task = new PeriodicTask(
    MAINTENANCE_INTERVAL_MS,
    () => this.runOnce(new Date()),
    (error) => this.logger.error({ err: error }, 'maintenance failed'),
  );

  constructor(
    private readonly organizations: OrganizationsService,
    private readonly rotation: SecretRotationService,
    private readonly retention: RetentionService,
    private readonly testQuota: OutboundTestQuota,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Runs every task once at `now`. */
  async runOnce(now: Date): Promise<void> {
    const trials = await this.organizations.enforceExpiredTrials(now);
    const overlaps = await this.rotation.expireOverlaps(now);
    const pruned = await this.retention.prune(now);
    const quotaWindows = await this.testQuota.prune(now);
    if (trials + overlaps + pruned + quotaWindows > 0) {
      this.logger.log(
        {
          ended_trials: trials,
          ended_overlaps: overlaps,
          pruned_deliveries: pruned,
          pruned_test_quota_windows: quotaWindows,
        },
        'maintenance done',
      );
    }
  }
}
