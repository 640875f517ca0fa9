import { Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_COMPLETED,
  DeliveryJobMessage,
  DeliveryRecordMessage,
} from '@quor/contracts';
import { SafeHttpClient } from '@quor/egress';
import { QUEUES, RabbitPublisher, WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { DeliveryMetrics } from '@quor/platform';
import { buildDeliveryRequest } from './delivery-request';
import { DestinationLimiter, originOf } from './destination-limiter';

export type AttemptDisposition = 'delivered' | 'deferred';

/**
 * Makes the one outbound attempt of a job and publishes its record. A job
 * whose destination has all its slots in use waits for one while that
 * destination keeps completing attempts, and is deferred otherwise, so a
 * hanging endpoint cannot occupy the whole worker.
 */
@Injectable()
export class DeliveryAttemptService {
  private readonly logger = new Logger(DeliveryAttemptService.name);

  constructor(
    private readonly client: SafeHttpClient,
    private readonly publisher: RabbitPublisher,
    private readonly limiter: DestinationLimiter,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async handle(job: DeliveryJobMessage): Promise<AttemptDisposition> {
    const origin = originOf(job.url);
    if (!(await this.limiter.acquire(origin))) {
      await this.publisher.publish({
        exchange: '',
        routingKey: QUEUES.deliveryDeferred.name,
        messageId: job.attempt_id,
        body: job,
      });
      this.metrics.deliveryJobsDeferred.inc();
      this.logger.debug(
        {
          event_id: job.event_id,
          webhook_id: job.webhook_id,
          delivery_id: job.delivery_id,
        },
        'destination busy; job deferred',
      );

      return 'deferred';
    }

    // The slot covers the request only. Waiting for the broker to confirm
    // the record does not load the destination, so the next job may start.
    let record: DeliveryRecordMessage;
    try {
      record = await this.attempt(job);
    } finally {
      this.limiter.release(origin);
    }

    await this.publisher.publish({
      exchange: WEBHOOKS_EXCHANGE,
      routingKey: DELIVERY_COMPLETED,
      messageId: record.attempt_id,
      body: record,
    });
    this.metrics.recordAttempt(record);
    this.logger.log(
      {
        event_id: job.event_id,
        webhook_id: job.webhook_id,
        organization_id: job.organization_id,
        delivery_id: job.delivery_id,
        attempt_id: job.attempt_id,
        outcome: record.outcome,
        status: record.response?.status ?? null,
        duration_ms: Math.round(record.timings.total_ms),
      },
      'delivery attempted',
    );

    return 'delivered';
  }

  /** Sends the request and describes what happened; never throws for the remote side. */
  async attempt(
    job: DeliveryJobMessage,
    client: SafeHttpClient = this.client,
  ): Promise<DeliveryRecordMessage> {
    const startedAt = new Date();
    const request = buildDeliveryRequest(job, startedAt);
    const result = await client.post(request);

    return {
      delivery_id: job.delivery_id,
      attempt_id: job.attempt_id,
      kind: job.kind,
      redelivery_of: job.redelivery_of ?? null,
      event_id: job.event_id,
      event_type: job.event_type,
      occurred_at: job.occurred_at,
      organization_id: job.organization_id,
      webhook_id: job.webhook_id,
      request: {
        url: request.url,
        method: 'POST',
        headers: request.headers,
        body: request.body,
      },
      outcome: result.outcome,
      error_message: result.errorMessage,
      response: result.response,
      remote_address: result.remoteAddress,
      timings: result.timings,
      started_at: startedAt.toISOString(),
      completed_at: new Date().toISOString(),
    };
  }
}
