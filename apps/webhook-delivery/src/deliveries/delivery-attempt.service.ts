import { Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_COMPLETED,
  DeliveryJobMessage,
  DeliveryRecordMessage,
} from '@quor/contracts';
import { SafeHttpClient } from '@quor/egress';
import {
  QUEUES,
  QueueSpec,
  RabbitPublisher,
  WEBHOOKS_EXCHANGE,
} from '@quor/messaging';
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
    const decision = await this.limiter.acquire(origin);
    if (decision === 'busy' || decision === 'stalled') {
      await this.defer(job, decision);

      return 'deferred';
    }

    // The slot covers the request only. Waiting for the broker to confirm
    // the record does not load the destination, so the next job may start.
    let record: DeliveryRecordMessage | undefined;
    let responded = false;
    const sentAt = performance.now();
    try {
      record = await this.attempt(job, this.client, () => {
        responded = true;
        this.limiter.recordResponse(origin);
      });
    } finally {
      // A timeout frees the slot but does not count as the origin's
      // progress, so a hanging origin stays stalled.
      this.limiter.release(origin, decision, {
        finished: record?.outcome !== 'timeout',
        durationMs: performance.now() - sentAt,
        responded,
      });
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

  /**
   * Defers an unvalidated job, as the bytes received, when its destination
   * is stalled, or busy with no slot due soon. Returns false, and defers
   * nothing, for any other job, including one whose `url` is missing or
   * not a string. Such jobs are validated and handled.
   */
  async deferIfUnavailable(plain: unknown, body: Buffer): Promise<boolean> {
    const fields = (
      typeof plain === 'object' && plain !== null ? plain : {}
    ) as Record<string, unknown>;
    if (typeof fields.url !== 'string') {
      return false;
    }
    const reason = this.limiter.deferralReason(originOf(fields.url));
    if (reason === undefined) {
      return false;
    }

    await this.publisher.publish({
      exchange: '',
      routingKey: deferralQueue(reason).name,
      messageId:
        typeof fields.attempt_id === 'string' ? fields.attempt_id : undefined,
      body,
    });
    this.recordDeferral(reason, fields);

    return true;
  }

  /**
   * Puts `job` on the deferral queue for its destination's state: a short
   * wait for a busy destination, a long one for a stalled destination.
   */
  private async defer(
    job: DeliveryJobMessage,
    reason: 'busy' | 'stalled',
  ): Promise<void> {
    await this.publisher.publish({
      exchange: '',
      routingKey: deferralQueue(reason).name,
      messageId: job.attempt_id,
      body: job,
    });
    this.recordDeferral(reason, job);
  }

  private recordDeferral(
    reason: 'busy' | 'stalled',
    job: { event_id?: unknown; delivery_id?: unknown },
  ): void {
    this.metrics.deliveryJobsDeferred.inc({ reason });
    this.logger.debug(
      { event_id: job.event_id, delivery_id: job.delivery_id, reason },
      `destination ${reason}; job deferred to ${deferralQueue(reason).name}`,
    );
  }

  /**
   * Sends the request and returns its record. Every failure of the remote
   * side, DNS or the URL becomes the record's outcome, because
   * SafeHttpClient.post resolves for them. `onResponse` runs when the
   * response headers arrive.
   */
  async attempt(
    job: DeliveryJobMessage,
    client: SafeHttpClient = this.client,
    onResponse?: () => void,
  ): Promise<DeliveryRecordMessage> {
    const startedAt = new Date();
    const request = buildDeliveryRequest(job, startedAt);
    const result = await client.post(request, onResponse);

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

/**
 * Deferral queue for a destination's state: a short wait for a busy
 * destination, a long one for a stalled destination.
 */
function deferralQueue(reason: 'busy' | 'stalled'): QueueSpec {
  return reason === 'stalled'
    ? QUEUES.deliveryStalled
    : QUEUES.deliveryDeferred;
}
