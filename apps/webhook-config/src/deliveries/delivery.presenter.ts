import type { DeliveryEntity } from './delivery.entity';
import type {
  DeliveryResponse,
  DeliverySummaryResponse,
} from './dto/delivery.response';

/** Maps a delivery to its list form: what happened, without the full request and response. */
export function presentDeliverySummary(
  delivery: DeliveryEntity,
): DeliverySummaryResponse {
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

/** Maps a delivery to its full form, with the request as sent and the response as received. */
export function presentDelivery(delivery: DeliveryEntity): DeliveryResponse {
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
