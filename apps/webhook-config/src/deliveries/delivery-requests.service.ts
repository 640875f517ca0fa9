import { Injectable, Logger } from '@nestjs/common';
import { DeliveryJobMessage, PING_EVENT_TYPE } from '@quor/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { FieldError, PlanLimitError } from '../errors/domain.errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { describeLimit } from '../organizations/plan-policy';
import { OutboxRelay } from '../outbox/outbox.relay';
import { activeSecrets, OutboxWriter } from '../outbox/outbox.writer';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { OutboundTestQuota } from '../webhooks/outbound-test-quota.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { DeliveriesService } from './deliveries.service';

/**
 * Requests attempts that no event triggers: a redelivery of an earlier
 * attempt and a test ping of a saved webhook. Both go to the delivery
 * workers through the outbox, under the same egress rules as events, and
 * their records are listed like any other delivery.
 */
@Injectable()
export class DeliveryRequestsService {
  private readonly logger = new Logger(DeliveryRequestsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
    private readonly deliveries: DeliveriesService,
    private readonly organizations: OrganizationsService,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
    private readonly testQuota: OutboundTestQuota,
  ) {}

  /**
   * Sends the payload of attempt `attemptId` again as a new attempt with
   * the same `webhook-id`, to the webhook's current URL and secrets.
   */
  async redeliver(
    organizationId: string,
    webhookId: string,
    attemptId: string,
  ) {
    const original = await this.deliveries.get(
      organizationId,
      webhookId,
      attemptId,
    );
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(original.request.body);
    } catch {
      throw new FieldError(
        'deliveryId',
        'the original request body is not JSON and cannot be sent again',
      );
    }

    return this.request(organizationId, webhookId, (webhook, now) => ({
      delivery_id: original.deliveryId,
      attempt_id: randomUUID(),
      kind: 'redelivery',
      redelivery_of: original.attemptId,
      event_id: original.eventId,
      event_type: original.eventType,
      occurred_at: original.occurredAt.toISOString(),
      organization_id: organizationId,
      webhook_id: webhook.id,
      url: webhook.url,
      secrets: activeSecrets(webhook, now),
      payload,
      published_at: now.toISOString(),
    }));
  }

  /** Sends a signed test ping to the saved webhook. */
  /**
   * Queues a signed ping to the saved URL. Pings count against the
   * organization's per-minute limit of test requests, in the transaction
   * that queues them, so a rejected ping is not counted.
   */
  async ping(organizationId: string, webhookId: string) {
    return this.request(
      organizationId,
      webhookId,
      (webhook, now) => {
        const eventId = `ping-${randomUUID()}`;

        return {
          delivery_id: randomUUID(),
          attempt_id: randomUUID(),
          kind: 'ping',
          event_id: eventId,
          event_type: PING_EVENT_TYPE,
          occurred_at: now.toISOString(),
          organization_id: organizationId,
          webhook_id: webhook.id,
          url: webhook.url,
          secrets: activeSecrets(webhook, now),
          payload: {
            type: PING_EVENT_TYPE,
            webhook_id: webhook.id,
            sent_at: now.toISOString(),
          },
          published_at: now.toISOString(),
        };
      },
      (manager) => this.testQuota.consume(organizationId, manager),
    );
  }

  private async request(
    organizationId: string,
    webhookId: string,
    build: (webhook: WebhookEntity, now: Date) => DeliveryJobMessage,
    beforeQueue?: (manager: EntityManager) => Promise<void>,
  ) {
    const job = await this.dataSource.transaction(
      async (manager: EntityManager) => {
        const webhook = await this.webhooks.find(
          manager,
          organizationId,
          webhookId,
        );
        const now = new Date();
        await this.assertMaySend(manager, webhook, now);
        await beforeQueue?.(manager);
        const message = build(webhook, now);
        await this.outbox.deliveryRequested(manager, message);

        return message;
      },
    );
    this.relay.notify();
    this.logger.log(
      {
        organization_id: organizationId,
        webhook_id: webhookId,
        delivery_id: job.delivery_id,
        attempt_id: job.attempt_id,
        kind: job.kind,
      },
      'delivery requested',
    );

    return {
      id: job.attempt_id,
      delivery_id: job.delivery_id,
      kind: job.kind,
      status: 'queued',
    };
  }

  private async assertMaySend(
    manager: EntityManager,
    webhook: WebhookEntity,
    now: Date,
  ) {
    if (!webhook.enabled) {
      throw new FieldError(
        'webhookId',
        'the webhook is disabled; enable it first',
      );
    }
    const state = await this.organizations.planState(
      manager,
      webhook.organizationId,
      now,
    );
    if (state.limit === 0) {
      throw new PlanLimitError(
        `${describeLimit(state)}; change the plan to send deliveries`,
      );
    }
  }
}
