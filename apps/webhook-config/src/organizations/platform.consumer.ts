import { Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ORGANIZATION_PLAN_CHANGED,
  OrganizationPlanChangedMessage,
  parseMessage,
  SUBSCRIPTION_CREATED,
  SUBSCRIPTION_DELETED,
  SubscriptionMessage,
} from '@quor/contracts';
import { RabbitConsumer, RabbitContext } from '@quor/messaging';
import { OrganizationsService } from './organizations.service';

/** Consumes the platform's subscription and plan announcements. */
@RabbitConsumer()
export class PlatformConsumer {
  private readonly logger = new Logger(PlatformConsumer.name);

  constructor(private readonly organizations: OrganizationsService) {}

  @EventPattern(SUBSCRIPTION_CREATED)
  async subscriptionCreated(
    @Payload() body: Buffer,
    @Ctx() context: RabbitContext,
  ) {
    await this.subscriptionChanged(body, context, true);
  }

  @EventPattern(SUBSCRIPTION_DELETED)
  async subscriptionDeleted(
    @Payload() body: Buffer,
    @Ctx() context: RabbitContext,
  ) {
    await this.subscriptionChanged(body, context, false);
  }

  @EventPattern(ORGANIZATION_PLAN_CHANGED)
  async planChanged(@Payload() body: Buffer) {
    const message = parseMessage(OrganizationPlanChangedMessage, body);
    this.logger.log(
      {
        event_id: message.event_id,
        organization_id: message.organization_id,
        plan: message.plan,
      },
      'plan change received',
    );
    await this.organizations.applyPlanChange(message);
  }

  private async subscriptionChanged(
    body: Buffer,
    context: RabbitContext,
    subscribed: boolean,
  ) {
    const message = parseMessage(SubscriptionMessage, body);
    this.logger.log(
      {
        event_id: message.event_id,
        organization_id: message.organization_id,
        registry: message.registry,
        image: message.image,
        routing_key: context.routingKey,
      },
      'subscription change received',
    );
    await this.organizations.applySubscription(message, subscribed);
  }
}
