import type { DeliveryEntity } from './delivery.entity';

/** A delivery in a list: what happened, without the full request and response. */
export function presentDeliverySummary(delivery: DeliveryEntity) {
  return {
    id: delivery.attemptId,
    delivery_id: delivery.deliveryId,
    webhook_id: delivery.webhookId,
    kind: delivery.kind,
    redelivery_of: delivery.redeliveryOf,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    outcome: delivery.outcome,
    status: delivery.status,
    error_message: delivery.errorMessage,
    duration_ms: delivery.durationMs,
    response_excerpt: delivery.response?.body?.slice(0, 200) ?? null,
    started_at: delivery.startedAt.toISOString(),
  };
}

/** One delivery with the whole request as sent and the response as received. */
export function presentDelivery(delivery: DeliveryEntity) {
  return {
    ...presentDeliverySummary(delivery),
    occurred_at: delivery.occurredAt.toISOString(),
    request: delivery.request,
    response: delivery.response,
    remote_address: delivery.remoteAddress,
    timings: delivery.timings,
    completed_at: delivery.completedAt.toISOString(),
  };
}
