import {
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator';
import { ApiUuidParam } from '../openapi/api-uuid-param.decorator';
import { BEARER_AUTH } from '../openapi/openapi-document';
import { uuidPipe } from '../webhooks/uuid.pipe';
import { DeliveriesService } from './deliveries.service';
import { DeliveryRequestsService } from './delivery-requests.service';
import { presentDelivery, presentDeliverySummary } from './delivery.presenter';
import {
  DeliveryPageResponse,
  DeliveryRequestedResponse,
  DeliveryResponse,
} from './dto/delivery.response';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';

const WEBHOOK_ID = 'Id of a webhook of the organization.';
const DELIVERY_ID = 'Id of an attempt, the id field of a delivery.';

@ApiTags('deliveries')
@ApiBearerAuth(BEARER_AUTH)
@ApiUuidParam('webhookId', WEBHOOK_ID)
@ApiErrorResponses([400, 401])
@Controller('v1/webhooks/:webhookId/deliveries')
@UseGuards(BearerTokenGuard)
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly requests: DeliveryRequestsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listDeliveries',
    summary: 'List delivery attempts',
    description:
      'Returns the attempts of one webhook, newest first, optionally filtered by outcome, event type and start time.',
  })
  @ApiOkResponse({
    type: DeliveryPageResponse,
    description: 'One page of attempts.',
  })
  @ApiErrorResponses([404])
  async list(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<DeliveryPageResponse> {
    const { items, nextCursor } = await this.deliveries.list(
      organizationId,
      webhookId,
      query,
    );

    return { data: items.map(presentDeliverySummary), next_cursor: nextCursor };
  }

  @Get(':deliveryId')
  @ApiOperation({
    operationId: 'getDelivery',
    summary: 'Get a delivery attempt',
    description:
      'Returns one attempt with the request as sent and the response as received.',
  })
  @ApiUuidParam('deliveryId', DELIVERY_ID)
  @ApiOkResponse({ type: DeliveryResponse, description: 'The attempt.' })
  @ApiErrorResponses([404], {
    404: 'No such webhook in the organization, or no such attempt of the webhook.',
  })
  async get(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Param('deliveryId', uuidPipe('deliveryId')) attemptId: string,
  ): Promise<DeliveryResponse> {
    return presentDelivery(
      await this.deliveries.get(organizationId, webhookId, attemptId),
    );
  }

  /** Sends the same payload again as a new attempt linked to this one. */
  @Post(':deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'redeliver',
    summary: 'Redeliver an attempt',
    description:
      'Queues the payload of the attempt again as a new attempt with the same webhook-id header, ' +
      'sent to the current URL and signed with the current secrets.',
  })
  @ApiUuidParam('deliveryId', DELIVERY_ID)
  @ApiAcceptedResponse({
    type: DeliveryRequestedResponse,
    description: 'The redelivery was queued.',
  })
  @ApiErrorResponses([400, 403, 404], {
    400: 'An id is not a UUID, the webhook is disabled, or the body is not JSON.',
    403: 'The plan allows no deliveries.',
    404: 'No such webhook in the organization, or no such attempt of the webhook.',
  })
  async redeliver(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) webhookId: string,
    @Param('deliveryId', uuidPipe('deliveryId')) attemptId: string,
  ): Promise<DeliveryRequestedResponse> {
    return this.requests.redeliver(organizationId, webhookId, attemptId);
  }
}
