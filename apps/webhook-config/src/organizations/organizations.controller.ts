import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator';
import { BEARER_AUTH } from '../openapi/openapi-document';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { PlanResponse } from './dto/plan.response';
import { SubscriptionsResponse } from './dto/subscriptions.response';
import { OrganizationsService } from './organizations.service';

@ApiTags('organization')
@ApiBearerAuth(BEARER_AUTH)
@ApiErrorResponses([400, 401], {
  400: 'The request body is not JSON.',
})
@Controller('v1')
@UseGuards(BearerTokenGuard)
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly dataSource: DataSource,
  ) {}

  /** Images the organization subscribes to, which a webhook can select. */
  @Get('subscriptions')
  @ApiOperation({
    operationId: 'listSubscriptions',
    summary: 'List subscribed images',
    description:
      'Returns the images that a webhook of the organization can select.',
  })
  @ApiOkResponse({
    type: SubscriptionsResponse,
    description: 'The subscribed images.',
  })
  async subscriptions(
    @OrganizationId() organizationId: string,
  ): Promise<SubscriptionsResponse> {
    const data = await this.organizations.subscribedImages(
      this.dataSource.manager,
      organizationId,
    );

    return { data };
  }

  /** The organization's plan and how many webhooks it uses. */
  @Get('plan')
  @ApiOperation({
    operationId: 'getPlan',
    summary: 'Get the plan',
    description:
      'Returns the plan of the organization and how many webhooks it uses.',
  })
  @ApiOkResponse({
    type: PlanResponse,
    description: 'The plan and its use.',
  })
  async plan(@OrganizationId() organizationId: string): Promise<PlanResponse> {
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
