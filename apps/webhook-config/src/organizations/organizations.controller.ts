import { Controller, Get, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { OrganizationsService } from './organizations.service';

@Controller('v1')
@UseGuards(BearerTokenGuard)
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly dataSource: DataSource,
  ) {}

  /** Images the organization subscribes to, which a webhook can select. */
  @Get('subscriptions')
  async subscriptions(@OrganizationId() organizationId: string) {
    const data = await this.organizations.subscribedImages(
      this.dataSource.manager,
      organizationId,
    );

    return { data };
  }

  /** The organization's plan and how many webhooks it uses. */
  @Get('plan')
  async plan(@OrganizationId() organizationId: string) {
    const manager = this.dataSource.manager;
    const state = await this.organizations.planState(
      manager,
      organizationId,
      new Date(),
    );
    const total = await manager.countBy(WebhookEntity, { organizationId });
    const enabled = await manager.countBy(WebhookEntity, {
      organizationId,
      enabled: true,
    });

    return {
      plan: state.plan,
      trial_ends_at: state.trialEndsAt?.toISOString() ?? null,
      trial_expired: state.trialExpired,
      webhook_limit: state.limit,
      webhooks_enabled: enabled,
      webhooks_total: total,
    };
  }
}
