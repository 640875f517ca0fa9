import { DeliveryKind } from './delivery-job.message';
import { DeliveryEventType } from './event-type';

export const DELIVERY_COMPLETED = 'delivery.completed';

/** Outcome of one attempt. Only `success` means a 2xx arrived in time. */
export const DELIVERY_OUTCOMES = [
  'success',
  'http_error',
  'timeout',
  'dns_failure',
  'blocked',
  'tls_error',
  'connection_error',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** Maximum response body bytes stored for a text response. */
export const RESPONSE_BODY_CAP_BYTES = 10_240;

export interface RecordedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  content_type: string | null;
  /** First bytes of a text body as text, or null when the body is not text. */
  body: string | null;
  /** True when the body was longer than what was read and stored. */
  body_truncated: boolean;
  /** Body bytes received before reading stopped. */
  body_bytes_seen: number;
}

/** Milliseconds from the start of the attempt; null for phases not reached. */
export interface AttemptTimings {
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  first_byte_ms: number | null;
  total_ms: number;
}

/**
 * Body of `delivery.completed` on `quor.webhooks`: the full record of one
 * attempt, published by webhook-delivery and stored by webhook-config.
 * `attempt_id` identifies the record, so storing it twice keeps one row.
 */
export interface DeliveryRecordMessage {
  delivery_id: string;
  attempt_id: string;
  kind: DeliveryKind;
  redelivery_of: string | null;
  event_id: string;
  event_type: DeliveryEventType;
  occurred_at: string;
  organization_id: string;
  webhook_id: string;
  request: RecordedRequest;
  outcome: DeliveryOutcome;
  /** Description of the failure and the customer's fix, or null on success. */
  error_message: string | null;
  response: RecordedResponse | null;
  /** Address the connection went to, or null when none was made. */
  remote_address: string | null;
  timings: AttemptTimings;
  started_at: string;
  completed_at: string;
}
