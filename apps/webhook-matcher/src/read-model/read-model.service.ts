import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  OrganizationPlanChangedMessage,
  SubscriptionMessage,
  WebhookChangedMessage,
} from '@quor/contracts';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Applies configuration changes to the read model. Each change is one
 * upsert whose WHERE clause keeps the stored row when it is as new or newer,
 * so duplicates, out-of-order messages and concurrent consumers all leave
 * the newest state. Each method returns true when the change was applied.
 */
@Injectable()
export class ReadModelService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores the webhook when `version` is newer than the stored one, and
   * replaces its image list in the same transaction. The upsert locks the
   * webhook row, so two versions applied at once cannot mix their images.
   */
  async applyWebhookChanged(message: WebhookChangedMessage): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const applied = (await manager.query(
        `INSERT INTO webhook (id, organization_id, url, secrets, event_types,
           all_images, enabled, deleted, version, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET
           organization_id = EXCLUDED.organization_id,
           url = EXCLUDED.url,
           secrets = EXCLUDED.secrets,
           event_types = EXCLUDED.event_types,
           all_images = EXCLUDED.all_images,
           enabled = EXCLUDED.enabled,
           deleted = EXCLUDED.deleted,
           version = EXCLUDED.version,
           changed_at = EXCLUDED.changed_at
         WHERE webhook.version < EXCLUDED.version
         RETURNING id`,
        [
          message.webhook_id,
          message.organization_id,
          message.url,
          message.secrets,
          message.event_types,
          message.all_images,
          message.enabled,
          message.deleted,
          message.version,
          message.changed_at,
        ],
      )) as { id: string }[];
      if (applied.length === 0) {
        return false;
      }

      await this.replaceImages(manager, message);

      return true;
    });
  }

  /**
   * Stores whether the organization is subscribed to the image, as of
   * `occurred_at`. An unsubscription stays as a row with subscribed = false,
   * so an older `subscription.created` arriving later cannot resurrect the
   * subscription. When both changes carry the same time, the unsubscription
   * wins, so the outcome does not depend on arrival order.
   */
  async applySubscription(
    message: SubscriptionMessage,
    subscribed: boolean,
  ): Promise<boolean> {
    const applied = (await this.dataSource.query(
      `INSERT INTO subscription (organization_id, registry, image, subscribed,
         changed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, registry, image) DO UPDATE SET
         subscribed = EXCLUDED.subscribed,
         changed_at = EXCLUDED.changed_at
       WHERE subscription.changed_at < EXCLUDED.changed_at
         OR (subscription.changed_at = EXCLUDED.changed_at
           AND subscription.subscribed AND NOT EXCLUDED.subscribed)
       RETURNING organization_id`,
      [
        message.organization_id,
        message.registry,
        message.image,
        subscribed,
        message.occurred_at,
      ],
    )) as unknown[];

    return applied.length > 0;
  }

  /**
   * Stores the organization's plan when `occurred_at` is newer than the
   * stored change; a change with the same time as the stored one is
   * dropped. A trial without `trial_started_at` starts at `occurred_at`.
   */
  async applyPlanChanged(
    message: OrganizationPlanChangedMessage,
  ): Promise<boolean> {
    const trialStartedAt =
      message.plan === 'trial'
        ? (message.trial_started_at ?? message.occurred_at)
        : null;
    const applied = (await this.dataSource.query(
      `INSERT INTO organization_plan (organization_id, plan, trial_started_at,
         changed_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id) DO UPDATE SET
         plan = EXCLUDED.plan,
         trial_started_at = EXCLUDED.trial_started_at,
         changed_at = EXCLUDED.changed_at
       WHERE organization_plan.changed_at < EXCLUDED.changed_at
       RETURNING organization_id`,
      [
        message.organization_id,
        message.plan,
        trialStartedAt,
        message.occurred_at,
      ],
    )) as unknown[];

    return applied.length > 0;
  }

  private async replaceImages(
    manager: EntityManager,
    message: WebhookChangedMessage,
  ): Promise<void> {
    await manager.query('DELETE FROM webhook_image WHERE webhook_id = $1', [
      message.webhook_id,
    ]);
    if (message.images.length === 0) {
      return;
    }

    await manager.query(
      `INSERT INTO webhook_image (webhook_id, registry, image)
       SELECT $1, registry, image
       FROM unnest($2::text[], $3::text[]) AS selected (registry, image)
       ON CONFLICT DO NOTHING`,
      [
        message.webhook_id,
        message.images.map((reference) => reference.registry),
        message.images.map((reference) => reference.image),
      ],
    );
  }
}
