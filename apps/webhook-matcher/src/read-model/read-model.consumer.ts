import { Logger } from '@nestjs/common';
import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ORGANIZATION_PLAN_CHANGED,
  OrganizationPlanChangedMessage,
  parseMessage,
  SUBSCRIPTION_CREATED,
  SUBSCRIPTION_DELETED,
  SubscriptionMessage,
  WEBHOOK_CHANGED,
  WebhookChangedMessage,
} from '@quor/contracts';
import { ReadModelService } from './read-model.service';

/**
 * Consumes webhook, subscription and plan changes into the read model. An
 * invalid body throws InvalidMessageError, which dead-letters the message.
 */
@RabbitConsumer()
export class ReadModelConsumer {
  private readonly logger = new Logger(ReadModelConsumer.name);

  constructor(private readonly readModel: ReadModelService) {}

  @EventPattern(WEBHOOK_CHANGED)
  async webhookChanged(@Payload() body: Buffer): Promise<void> {
    const message = parseMessage(WebhookChangedMessage, body);

    const applied = await this.readModel.applyWebhookChanged(message);

    this.logger.log(
      {
        webhook_id: message.webhook_id,
        organization_id: message.organization_id,
        version: message.version,
        applied,
      },
      applied ? 'webhook change applied' : 'webhook change older than stored',
    );
  }

  @EventPattern(SUBSCRIPTION_CREATED)
  async subscriptionCreated(@Payload() body: Buffer): Promise<void> {
    await this.subscriptionChanged(body, true);
  }

  @EventPattern(SUBSCRIPTION_DELETED)
  async subscriptionDeleted(@Payload() body: Buffer): Promise<void> {
    await this.subscriptionChanged(body, false);
  }

  @EventPattern(ORGANIZATION_PLAN_CHANGED)
  async planChanged(@Payload() body: Buffer): Promise<void> {
    const message = parseMessage(OrganizationPlanChangedMessage, body);

    const applied = await this.readModel.applyPlanChanged(message);

    this.logger.log(
      {
        event_id: message.event_id,
        organization_id: message.organization_id,
        plan: message.plan,
        applied,
      },
      applied ? 'plan change applied' : 'plan change older than stored',
    );
  }

  private async subscriptionChanged(
    body: Buffer,
    subscribed: boolean,
  ): Promise<void> {
    const message = parseMessage(SubscriptionMessage, body);

    const applied = await this.readModel.applySubscription(message, subscribed);

    this.logger.log(
      {
        event_id: message.event_id,
        organization_id: message.organization_id,
        registry: message.registry,
        image: message.image,
        subscribed,
        applied,
      },
      applied
        ? 'subscription change applied'
        : 'subscription change older than stored',
    );
  }
}
