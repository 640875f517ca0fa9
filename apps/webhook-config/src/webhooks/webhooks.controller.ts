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
import { BearerTokenGuard } from '../auth/bearer-token.guard';
import { OrganizationId } from '../auth/organization-id.decorator';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { PageQueryDto } from './dto/list-query.dto';
import { TestConnectionDto } from './dto/test-connection.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { DeliveryRequestsService } from '../deliveries/delivery-requests.service';
import { SecretRotationService } from './secret-rotation.service';
import { TestConnectionService } from './test-connection.service';
import { uuidPipe } from './uuid.pipe';
import { presentWebhook } from './webhook.presenter';
import { WebhooksService } from './webhooks.service';

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
  async list(
    @OrganizationId() organizationId: string,
    @Query() page: PageQueryDto,
  ) {
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
  async create(
    @OrganizationId() organizationId: string,
    @Body() input: CreateWebhookDto,
  ) {
    const webhook = await this.webhooks.create(organizationId, input);

    return presentWebhook(webhook, { withSecret: true });
  }

  @Post('test-connection')
  @HttpCode(200)
  async test(
    @OrganizationId() organizationId: string,
    @Body() input: TestConnectionDto,
  ) {
    return this.testConnection.test(organizationId, input.url);
  }

  @Get(':webhookId')
  async get(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ) {
    return presentWebhook(await this.webhooks.get(organizationId, id));
  }

  @Patch(':webhookId')
  async update(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
    @Body() input: UpdateWebhookDto,
  ) {
    return presentWebhook(
      await this.webhooks.update(organizationId, id, input),
    );
  }

  @Post(':webhookId/enable')
  @HttpCode(200)
  async enable(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ) {
    return presentWebhook(
      await this.webhooks.setEnabled(organizationId, id, true),
    );
  }

  @Post(':webhookId/disable')
  @HttpCode(200)
  async disable(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ) {
    return presentWebhook(
      await this.webhooks.setEnabled(organizationId, id, false),
    );
  }

  @Delete(':webhookId')
  @HttpCode(204)
  async delete(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ): Promise<void> {
    await this.webhooks.delete(organizationId, id);
  }

  /** Replaces the signing secret; the old one keeps signing for the overlap. */
  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  async rotateSecret(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ) {
    const webhook = await this.rotation.rotate(organizationId, id);

    return presentWebhook(webhook, { withSecret: true });
  }

  /** Sends a signed test ping, recorded like any delivery. */
  @Post(':webhookId/ping')
  @HttpCode(202)
  async ping(
    @OrganizationId() organizationId: string,
    @Param('webhookId', uuidPipe('webhookId')) id: string,
  ) {
    return this.requests.ping(organizationId, id);
  }
}
