import { Injectable, Logger } from '@nestjs/common';
import {
  OrganizationPlanChangedMessage,
  SubscriptionMessage,
  TRIAL_DAYS,
} from '@quor/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxWriter } from '../outbox/outbox.writer';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { OrganizationEntity } from './organization.entity';
import { describeLimit, planState, PlanState } from './plan-policy';
import { SubscriptionEntity } from './subscription.entity';

/**
 * Keeps organizations' plans and subscriptions as the platform announces
 * them, and enforces each plan's webhook limit.
 */
@Injectable()
export class OrganizationsService {
  private readonly logger = new Logger(OrganizationsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Serializes plan checks and webhook changes of one organization. */
  async lockOrganization(
    manager: EntityManager,
    organizationId: string,
  ): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      organizationId,
    ]);
  }

  async planState(
    manager: EntityManager,
    organizationId: string,
    now: Date,
  ): Promise<PlanState> {
    const organization = await manager.findOneBy(OrganizationEntity, {
      id: organizationId,
    });

    return planState(organization, now);
  }

  async subscribedImages(manager: EntityManager, organizationId: string) {
    const rows = await manager.find(SubscriptionEntity, {
      where: { organizationId, subscribed: true },
      order: { registry: 'ASC', image: 'ASC' },
    });

    return rows.map((row) => ({ registry: row.registry, image: row.image }));
  }

  /** Records a subscription change unless a newer one is already stored. */
  async applySubscription(
    message: SubscriptionMessage,
    subscribed: boolean,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO subscription (organization_id, registry, image, subscribed, changed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, registry, image) DO UPDATE
         SET subscribed = EXCLUDED.subscribed, changed_at = EXCLUDED.changed_at
         WHERE subscription.changed_at < EXCLUDED.changed_at`,
      [
        message.organization_id,
        message.registry,
        message.image,
        subscribed,
        message.occurred_at,
      ],
    );
  }

  /**
   * Records a plan change unless a newer one is already stored, then
   * enforces the plan's limit on the organization's webhooks.
   */
  async applyPlanChange(
    message: OrganizationPlanChangedMessage,
  ): Promise<void> {
    const trialStartedAt =
      message.plan === 'trial'
        ? (message.trial_started_at ?? message.occurred_at)
        : null;
    await this.dataSource.transaction(async (manager) => {
      await this.lockOrganization(manager, message.organization_id);
      await manager.query(
        `INSERT INTO organization (id, plan, trial_started_at, plan_changed_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE
           SET plan = EXCLUDED.plan,
               trial_started_at = EXCLUDED.trial_started_at,
               plan_changed_at = EXCLUDED.plan_changed_at
           WHERE organization.plan_changed_at < EXCLUDED.plan_changed_at`,
        [
          message.organization_id,
          message.plan,
          trialStartedAt,
          message.occurred_at,
        ],
      );
      await this.enforceLimit(manager, message.organization_id, new Date());
    });
  }

  /**
   * Disables the newest enabled webhooks beyond the plan's limit, with the
   * reason visible on each; deletes nothing. Call inside a transaction that
   * holds the organization's lock.
   */
  async enforceLimit(
    manager: EntityManager,
    organizationId: string,
    now: Date,
  ): Promise<number> {
    const state = await this.planState(manager, organizationId, now);
    await manager.update(
      OrganizationEntity,
      { id: organizationId },
      { limitAppliedAt: now },
    );
    if (state.limit === null) {
      return 0;
    }

    const enabled = await manager.find(WebhookEntity, {
      where: { organizationId, enabled: true },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const excess = enabled.slice(state.limit);
    for (const webhook of excess) {
      webhook.enabled = false;
      webhook.disabledReason = `disabled automatically because ${describeLimit(state)}`;
      webhook.version += 1;
      webhook.updatedAt = now;
      await manager.save(webhook);
      await this.outbox.webhookChanged(manager, webhook);
    }
    if (excess.length > 0) {
      this.logger.log(
        {
          organization_id: organizationId,
          plan: state.plan,
          disabled: excess.length,
        },
        'webhooks disabled by plan limit',
      );
    }

    return excess.length;
  }

  /**
   * Enforces the limit of every trial that ended since its limit was last
   * applied, so an expired trial disables webhooks without any request.
   */
  async enforceExpiredTrials(now: Date): Promise<number> {
    const expired: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM organization
        WHERE plan = 'trial'
          AND trial_started_at + make_interval(days => $2) <= $1
          AND (limit_applied_at IS NULL OR limit_applied_at < trial_started_at + make_interval(days => $2))`,
      [now, TRIAL_DAYS],
    );
    for (const { id } of expired) {
      await this.dataSource.transaction(async (manager) => {
        await this.lockOrganization(manager, id);
        await this.enforceLimit(manager, id, now);
      });
    }

    return expired.length;
  }
}
