import {
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { uuidPipe } from '../webhooks/uuid.pipe';
import { DeliveriesService } from './deliveries.service';
import { DeliveryRequestsService } from './delivery-requests.service';
import { presentDelivery, presentDeliverySummary } from './delivery.presenter';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';

@Controller('v1/webhooks/:webhookId/deliveries')
@UseGuards(BearerTokenGuard)
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly requests: DeliveryRequestsService,
  ) {}

  @Get()
  async list(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Query() query: ListDeliveriesQuery,
  ) {
    const { items, nextCursor } = await this.deliveries.list(
      organizationId,
      webhookId,
      query,
    );

    return { data: items.map(presentDeliverySummary), next_cursor: nextCursor };
  }

  @Get(':deliveryId')
  async get(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Param('deliveryId', uuidPipe('deliveryId')) attemptId: string,
  ) {
    return presentDelivery(
      await this.deliveries.get(organizationId, webhookId, attemptId),
    );
  }

  /** Sends the same payload again as a new attempt linked to this one. */
  @Post(':deliveryId/redeliver')
  @HttpCode(202)
  async redeliver(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Param('deliveryId', uuidPipe('deliveryId')) attemptId: string,
  ) {
    return this.requests.redeliver(organizationId, webhookId, attemptId);
  }
}
