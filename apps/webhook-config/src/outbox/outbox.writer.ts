import { Injectable } from '@nestjs/common';
import {
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  WEBHOOK_CHANGED,
  WebhookChangedMessage,
} from '@quor/contracts';
import { WEBHOOKS_EXCHANGE } from '@quor/messaging';
import type { EntityManager } from 'typeorm';
import type { WebhookEntity } from '../webhooks/webhook.entity';
import { OutboxEntity } from './outbox.entity';

/** Signing secrets of `webhook` at `now`, newest first. */
export function activeSecrets(webhook: WebhookEntity, now: Date): string[] {
  const previousValid =
    webhook.previousSecret !== null &&
    webhook.previousSecretExpiresAt !== null &&
    webhook.previousSecretExpiresAt > now;

  return previousValid
    ? [webhook.secret, webhook.previousSecret as string]
    : [webhook.secret];
}

/**
 * Writes messages into the outbox inside the caller's transaction; the relay
 * publishes them after commit.
 */
@Injectable()
export class OutboxWriter {
  async webhookChanged(
    manager: EntityManager,
    webhook: WebhookEntity,
    deleted = false,
  ): Promise<void> {
    const message: WebhookChangedMessage = {
      webhook_id: webhook.id,
      organization_id: webhook.organizationId,
      version: webhook.version,
      deleted,
      enabled: webhook.enabled && !deleted,
      url: webhook.url,
      secrets: activeSecrets(webhook, new Date()),
      event_types: webhook.eventTypes,
      all_images: webhook.allImages,
      images: webhook.images,
      changed_at: webhook.updatedAt.toISOString(),
    };
    await manager.insert(OutboxEntity, {
      exchange: WEBHOOKS_EXCHANGE,
      routingKey: WEBHOOK_CHANGED,
      messageId: `${webhook.id}:${webhook.version}`,
      payload: message,
    });
  }

  async deliveryRequested(
    manager: EntityManager,
    job: DeliveryJobMessage,
  ): Promise<void> {
    await manager.insert(OutboxEntity, {
      exchange: WEBHOOKS_EXCHANGE,
      routingKey: DELIVERY_REQUESTED,
      messageId: job.attempt_id,
      payload: job,
    });
  }
}
