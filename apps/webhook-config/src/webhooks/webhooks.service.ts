import { Inject, Injectable, Logger } from '@nestjs/common';
import { generateWebhookSecret } from '@quor/egress';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';
import {
  FieldError,
  PlanLimitError,
  ResourceNotFoundError,
} from '../errors/domain.errors';
import { OrganizationsService } from '../organizations/organizations.service';
import { describeLimit } from '../organizations/plan-policy';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxWriter } from '../outbox/outbox.writer';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ImageSelectionInput } from './dto/image-selection.validator';
import { PageQueryDto } from './dto/list-query.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { decodeCursor, encodeCursor } from './page-cursor';
import { WebhookEntity } from './webhook.entity';
import { normalizeWebhookUrl } from './webhook-url';

/** Webhooks an organization may store, enabled or not. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 100;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  async list(organizationId: string, page: PageQueryDto) {
    const query = this.dataSource
      .getRepository(WebhookEntity)
      .createQueryBuilder('webhook')
      .where('webhook.organization_id = :organizationId', { organizationId })
      .orderBy('webhook.created_at', 'ASC')
      .addOrderBy('webhook.id', 'ASC')
      .limit(page.limit + 1);
    if (page.cursor) {
      const cursor = decodeCursor(page.cursor);
      query.andWhere('(webhook.created_at, webhook.id) > (:at, :id)', cursor);
    }
    const rows = await query.getMany();
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > page.limit && last
        ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id })
        : null;

    return { items, nextCursor };
  }

  async get(organizationId: string, id: string): Promise<WebhookEntity> {
    return this.find(this.dataSource.manager, organizationId, id);
  }

  async create(
    organizationId: string,
    input: CreateWebhookDto,
  ): Promise<WebhookEntity> {
    const url = normalizeWebhookUrl(
      input.url,
      this.config.EGRESS_ALLOW_LOOPBACK,
    );
    const enabled = input.enabled ?? true;
    const webhook = await this.dataSource.transaction(async (manager) => {
      await this.organizations.lockOrganization(manager, organizationId);
      const now = new Date();
      const total = await manager.countBy(WebhookEntity, { organizationId });
      if (total >= MAX_WEBHOOKS_PER_ORGANIZATION) {
        throw new PlanLimitError(
          `an organization can store at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks; delete one first`,
        );
      }
      if (enabled) {
        await this.assertCanEnable(manager, organizationId, now);
      }
      const images = await this.resolveImages(
        manager,
        organizationId,
        input.images,
      );
      const created = manager.create(WebhookEntity, {
        id: randomUUID(),
        organizationId,
        name: input.name,
        url,
        eventTypes: input.event_types,
        ...images,
        enabled,
        disabledReason: null,
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(WebhookEntity, created);
      await this.outbox.webhookChanged(manager, created);

      return created;
    });
    this.relay.notify();
    this.logger.log(
      { organization_id: organizationId, webhook_id: webhook.id },
      'webhook created',
    );

    return webhook;
  }

  async update(
    organizationId: string,
    id: string,
    input: UpdateWebhookDto,
  ): Promise<WebhookEntity> {
    const url =
      input.url === undefined
        ? undefined
        : normalizeWebhookUrl(input.url, this.config.EGRESS_ALLOW_LOOPBACK);

    return this.change(
      organizationId,
      id,
      'webhook updated',
      async (manager, webhook) => {
        if (input.name !== undefined) {
          webhook.name = input.name;
        }
        if (url !== undefined) {
          webhook.url = url;
        }
        if (input.event_types !== undefined) {
          webhook.eventTypes = input.event_types;
        }
        if (input.images !== undefined) {
          Object.assign(
            webhook,
            await this.resolveImages(manager, organizationId, input.images),
          );
        }
      },
    );
  }

  async setEnabled(
    organizationId: string,
    id: string,
    enabled: boolean,
  ): Promise<WebhookEntity> {
    const action = enabled ? 'webhook enabled' : 'webhook disabled';

    return this.change(organizationId, id, action, async (manager, webhook) => {
      if (enabled && !webhook.enabled) {
        await this.assertCanEnable(manager, organizationId, new Date());
      }
      webhook.enabled = enabled;
      webhook.disabledReason = null;
    });
  }

  async delete(organizationId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.organizations.lockOrganization(manager, organizationId);
      const webhook = await this.find(manager, organizationId, id);
      await manager.delete(WebhookEntity, { id: webhook.id });
      webhook.version += 1;
      webhook.updatedAt = new Date();
      await this.outbox.webhookChanged(manager, webhook, true);
    });
    this.relay.notify();
    this.logger.log(
      { organization_id: organizationId, webhook_id: id },
      'webhook deleted',
    );
  }

  /**
   * Applies `mutate` to the webhook under the organization's lock, bumps its
   * version and writes the change to the outbox in the same transaction.
   */
  async change(
    organizationId: string,
    id: string,
    action: string,
    mutate: (manager: EntityManager, webhook: WebhookEntity) => Promise<void>,
  ): Promise<WebhookEntity> {
    const webhook = await this.dataSource.transaction(async (manager) => {
      await this.organizations.lockOrganization(manager, organizationId);
      const current = await this.find(manager, organizationId, id);
      await mutate(manager, current);
      current.version += 1;
      current.updatedAt = new Date();
      await manager.save(current);
      await this.outbox.webhookChanged(manager, current);

      return current;
    });
    this.relay.notify();
    this.logger.log(
      { organization_id: organizationId, webhook_id: id },
      action,
    );

    return webhook;
  }

  async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<WebhookEntity> {
    const webhook = await manager.findOneBy(WebhookEntity, {
      id,
      organizationId,
    });
    if (!webhook) {
      throw new ResourceNotFoundError('webhook', id);
    }

    return webhook;
  }

  private async assertCanEnable(
    manager: EntityManager,
    organizationId: string,
    now: Date,
  ) {
    const state = await this.organizations.planState(
      manager,
      organizationId,
      now,
    );
    if (state.limit === null) {
      return;
    }
    const enabled = await manager.countBy(WebhookEntity, {
      organizationId,
      enabled: true,
    });
    if (enabled >= state.limit) {
      throw new PlanLimitError(
        `${describeLimit(state)} and ${enabled} ${enabled === 1 ? 'is' : 'are'} enabled; ` +
          'disable a webhook or change the plan',
      );
    }
  }

  private async resolveImages(
    manager: EntityManager,
    organizationId: string,
    images: ImageSelectionInput,
  ): Promise<Pick<WebhookEntity, 'allImages' | 'images'>> {
    if (images === 'all') {
      return { allImages: true, images: [] };
    }
    const subscribed = await this.organizations.subscribedImages(
      manager,
      organizationId,
    );
    const known = new Set(
      subscribed.map((item) => `${item.registry}/${item.image}`),
    );
    const missing = images.find(
      (item) => !known.has(`${item.registry}/${item.image}`),
    );
    if (missing) {
      throw new FieldError(
        'images',
        `${missing.registry}/${missing.image} is not an image the organization subscribes to; ` +
          'choose from GET /v1/subscriptions',
      );
    }

    return {
      allImages: false,
      images: images.map(({ registry, image }) => ({ registry, image })),
    };
  }
}
