import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRecordMessage } from '@quor/contracts';
import { DataSource } from 'typeorm';
import { ResourceNotFoundError } from '../errors/domain.errors';
import { decodeCursor, encodeCursor } from '../webhooks/page-cursor';
import { WebhookEntity } from '../webhooks/webhook.entity';
import { sanitizeForPostgres } from './delivery-record.check';
import { DeliveryEntity } from './delivery.entity';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';

@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger(DeliveriesService.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a record once: a record published twice, or redelivered by the
   * broker, keeps the first row. Returns false for a duplicate.
   */
  async store(message: DeliveryRecordMessage): Promise<boolean> {
    const record = sanitizeForPostgres(message);
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(DeliveryEntity)
      .values({
        attemptId: record.attempt_id,
        deliveryId: record.delivery_id,
        webhookId: record.webhook_id,
        organizationId: record.organization_id,
        kind: record.kind,
        redeliveryOf: record.redelivery_of,
        eventId: record.event_id,
        eventType: record.event_type,
        occurredAt: new Date(record.occurred_at),
        outcome: record.outcome,
        status: record.response?.status ?? null,
        errorMessage: record.error_message,
        request: record.request,
        response: record.response,
        remoteAddress: record.remote_address,
        timings: record.timings,
        durationMs: Math.round(record.timings.total_ms),
        startedAt: new Date(record.started_at),
        completedAt: new Date(record.completed_at),
      })
      .orIgnore()
      // Without RETURNING, raw is empty whether or not the row was inserted.
      .returning('attempt_id')
      .execute();
    const stored = (result.raw as unknown[]).length > 0;
    this.logger.log(
      {
        attempt_id: record.attempt_id,
        delivery_id: record.delivery_id,
        webhook_id: record.webhook_id,
        event_id: record.event_id,
        outcome: record.outcome,
        duplicate: !stored,
      },
      'delivery record received',
    );

    return stored;
  }

  /** Attempts of one webhook, newest first. */
  async list(
    organizationId: string,
    webhookId: string,
    query: ListDeliveriesQuery,
  ) {
    await this.assertWebhookVisible(organizationId, webhookId);
    const builder = this.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('delivery')
      .where('delivery.webhook_id = :webhookId', { webhookId })
      .andWhere('delivery.organization_id = :organizationId', {
        organizationId,
      })
      .orderBy('delivery.started_at', 'DESC')
      .addOrderBy('delivery.attempt_id', 'DESC')
      .limit(query.limit + 1);
    if (query.outcome) {
      builder.andWhere('delivery.outcome = :outcome', {
        outcome: query.outcome,
      });
    }
    if (query.event_type) {
      builder.andWhere('delivery.event_type = :eventType', {
        eventType: query.event_type,
      });
    }
    if (query.since) {
      builder.andWhere('delivery.started_at >= :since', { since: query.since });
    }
    if (query.until) {
      builder.andWhere('delivery.started_at < :until', { until: query.until });
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      builder.andWhere(
        '(delivery.started_at, delivery.attempt_id) < (:at, :id)',
        cursor,
      );
    }
    const rows = await builder.getMany();
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor({ at: last.startedAt.toISOString(), id: last.attemptId })
        : null;

    return { items, nextCursor };
  }

  async get(organizationId: string, webhookId: string, attemptId: string) {
    const delivery = await this.dataSource
      .getRepository(DeliveryEntity)
      .findOneBy({ attemptId, webhookId, organizationId });
    if (!delivery) {
      throw new ResourceNotFoundError('delivery', attemptId);
    }

    return delivery;
  }

  private async assertWebhookVisible(
    organizationId: string,
    webhookId: string,
  ) {
    const exists = await this.dataSource
      .getRepository(WebhookEntity)
      .existsBy({ id: webhookId, organizationId });
    if (!exists) {
      throw new ResourceNotFoundError('webhook', webhookId);
    }
  }
}
