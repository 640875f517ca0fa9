import { Inject, Injectable } from '@nestjs/common';
import { generateWebhookSecret } from '@quor/egress';
import { DataSource } from 'typeorm';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';
import { OrganizationsService } from '../organizations/organizations.service';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxWriter } from '../outbox/outbox.writer';
import { WebhookEntity } from './webhook.entity';
import { WebhooksService } from './webhooks.service';

/**
 * Rotates signing secrets. The replaced secret keeps signing alongside the
 * new one for the configured overlap, so receivers can switch without
 * rejecting a delivery. When the overlap ends, the webhook changes again
 * and the old secret is no longer sent to delivery workers.
 */
@Injectable()
export class SecretRotationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
    private readonly organizations: OrganizationsService,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  async rotate(organizationId: string, id: string): Promise<WebhookEntity> {
    return this.webhooks.change(
      organizationId,
      id,
      'webhook secret rotated',
      async (_, webhook) => {
        const overlapMs = this.config.SECRET_ROTATION_OVERLAP_SECONDS * 1000;
        webhook.previousSecret = overlapMs > 0 ? webhook.secret : null;
        webhook.previousSecretExpiresAt =
          overlapMs > 0 ? new Date(Date.now() + overlapMs) : null;
        webhook.secret = generateWebhookSecret();
      },
    );
  }

  /** Drops previous secrets whose overlap ended; returns how many. */
  async expireOverlaps(now: Date): Promise<number> {
    const due: { id: string; organization_id: string }[] =
      await this.dataSource.query(
        `SELECT id, organization_id FROM webhook
        WHERE previous_secret IS NOT NULL AND previous_secret_expires_at <= $1`,
        [now],
      );
    for (const { id, organization_id: organizationId } of due) {
      await this.dataSource.transaction(async (manager) => {
        await this.organizations.lockOrganization(manager, organizationId);
        const webhook = await manager.findOneBy(WebhookEntity, { id });
        if (
          !webhook?.previousSecret ||
          !webhook.previousSecretExpiresAt ||
          webhook.previousSecretExpiresAt > now
        ) {
          return;
        }
        webhook.previousSecret = null;
        webhook.previousSecretExpiresAt = null;
        webhook.version += 1;
        webhook.updatedAt = now;
        await manager.save(webhook);
        await this.outbox.webhookChanged(manager, webhook);
      });
    }
    if (due.length > 0) {
      this.relay.notify();
    }

    return due.length;
  }
}
