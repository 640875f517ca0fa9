import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { DeliveryRequestedResponse } from '../deliveries/dto/delivery.response';
import { DeliveryRequestsService } from '../deliveries/delivery-requests.service';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator';
import { ApiUuidParam } from '../openapi/api-uuid-param.decorator';
import { BEARER_AUTH } from '../openapi/openapi-document';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ImageReferenceDto } from './dto/image-reference.dto';
import { PageQueryDto } from './dto/list-query.dto';
import { TestConnectionDto } from './dto/test-connection.dto';
import { TestConnectionResultResponse } from './dto/test-connection.response';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import {
  WebhookPageResponse,
  WebhookResponse,
  WebhookWithSecretResponse,
} from './dto/webhook.response';
import { SecretRotationService } from './secret-rotation.service';
import { TestConnectionService } from './test-connection.service';
import { uuidPipe } from './uuid.pipe';
import { presentWebhook, presentWebhookWithSecret } from './webhook.presenter';
import { WebhooksService } from './webhooks.service';

const WEBHOOK_ID = 'Id of a webhook of the organization.';
const PLAN_LIMIT_403 =
  'The plan allows no more enabled webhooks, or the organization already stores 100 webhooks.';

@ApiTags('webhooks')
@ApiBearerAuth(BEARER_AUTH)
@ApiExtraModels(ImageReferenceDto)
@ApiErrorResponses([400, 401])
@Controller('v1/webhooks')
@UseGuards(BearerTokenGuard)
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly testConnection: TestConnectionService,
    private readonly rotation: SecretRotationService,
    private readonly requests: DeliveryRequestsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listWebhooks',
    summary: 'List webhooks',
    description: 'Returns the webhooks of the organization in creation order.',
  })
  @ApiOkResponse({
    type: WebhookPageResponse,
    description: 'One page of webhooks.',
  })
  async list(
    @OrganizationId() organizationId: string,
    @Query() page: PageQueryDto,
  ): Promise<WebhookPageResponse> {
    const { items, nextCursor } = await this.webhooks.list(
      organizationId,
      page,
    );

    return {
      data: items.map((webhook) => presentWebhook(webhook)),
      next_cursor: nextCursor,
    };
  }

  @Post()
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Create a webhook',
    description:
      'Creates a webhook and returns it with its signing secret, which no later response contains.',
  })
  @ApiCreatedResponse({
    type: WebhookWithSecretResponse,
    description: 'The webhook was created.',
  })
  @ApiErrorResponses([403, 413], { 403: PLAN_LIMIT_403 })
  async create(
    @OrganizationId() organizationId: string,
    @Body() input: CreateWebhookDto,
  ): Promise<WebhookWithSecretResponse> {
    const webhook = await this.webhooks.create(organizationId, input);

    return presentWebhookWithSecret(webhook);
  }

  @Post('test-connection')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'testConnection',
    summary: 'Test an unsaved URL',
    description:
      'Sends one test ping, signed with a throwaway secret, to the URL through a delivery worker and returns the outcome. ' +
      'The URL is checked as on save and is not stored.',
  })
  @ApiOkResponse({
    type: TestConnectionResultResponse,
    description:
      'The attempt ended; outcome tells whether the receiver answered with a 2xx.',
  })
  @ApiErrorResponses([413, 429, 503], {
    503: 'No delivery worker replied within 6 seconds; try again in a minute.',
  })
  async test(
    @OrganizationId() organizationId: string,
    @Body() input: TestConnectionDto,
  ): Promise<TestConnectionResultResponse> {
    return this.testConnection.test(organizationId, input.url);
  }

  @Get(':webhookId')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Get a webhook' })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiOkResponse({ type: WebhookResponse, description: 'The webhook.' })
  @ApiErrorResponses([404])
  async get(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<WebhookResponse> {
    return presentWebhook(await this.webhooks.get(organizationId, id));
  }

  @Patch(':webhookId')
  @ApiOperation({
    operationId: 'updateWebhook',
    summary: 'Update a webhook',
    description:
      'Changes the fields present in the body; the others keep their value.',
  })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiOkResponse({
    type: WebhookResponse,
    description: 'The webhook after the change.',
  })
  @ApiErrorResponses([404, 413])
  async update(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
    @Body() input: UpdateWebhookDto,
  ): Promise<WebhookResponse> {
    return presentWebhook(
      await this.webhooks.update(organizationId, id, input),
    );
  }

  @Post(':webhookId/enable')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'enableWebhook',
    summary: 'Enable a webhook',
    description:
      'Starts deliveries and clears disabled_reason. Enabling counts against the plan limit.',
  })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiOkResponse({ type: WebhookResponse, description: 'The enabled webhook.' })
  @ApiErrorResponses([403, 404], {
    403: 'The plan allows no more enabled webhooks.',
  })
  async enable(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<WebhookResponse> {
    return presentWebhook(
      await this.webhooks.setEnabled(organizationId, id, true),
    );
  }

  @Post(':webhookId/disable')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'disableWebhook',
    summary: 'Disable a webhook',
    description: 'Stops deliveries; the webhook and its records are kept.',
  })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiOkResponse({
    type: WebhookResponse,
    description: 'The disabled webhook.',
  })
  @ApiErrorResponses([404])
  async disable(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<WebhookResponse> {
    return presentWebhook(
      await this.webhooks.setEnabled(organizationId, id, false),
    );
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook' })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiNoContentResponse({ description: 'The webhook was deleted.' })
  @ApiErrorResponses([404])
  async delete(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<void> {
    await this.webhooks.delete(organizationId, id);
  }

  /** Replaces the signing secret; the old one keeps signing for the overlap. */
  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate the signing secret',
    description:
      'Replaces the signing secret and returns the new one. The previous secret keeps signing ' +
      'alongside it for the configured overlap, so receivers can switch without rejecting a delivery.',
  })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiOkResponse({
    type: WebhookWithSecretResponse,
    description: 'The webhook with its new secret.',
  })
  @ApiErrorResponses([404])
  async rotateSecret(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<WebhookWithSecretResponse> {
    const webhook = await this.rotation.rotate(organizationId, id);

    return presentWebhookWithSecret(webhook);
  }

  /** Sends a signed test ping, recorded like any delivery. */
  @Post(':webhookId/ping')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'pingWebhook',
    summary: 'Send a test ping',
    description:
      'Queues a signed webhook.ping delivery to the saved URL. Its record appears in the delivery list when the attempt ends.',
  })
  @ApiUuidParam('webhookId', WEBHOOK_ID)
  @ApiAcceptedResponse({
    type: DeliveryRequestedResponse,
    description: 'The ping was queued.',
  })
  @ApiErrorResponses([400, 403, 404, 429], {
    400: 'The webhook id is not a UUID, the webhook is disabled, or the body is not JSON.',
    403: 'The plan allows no deliveries.',
  })
  async ping(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<DeliveryRequestedResponse> {
    return this.requests.ping(organizationId, id);
  }
}
