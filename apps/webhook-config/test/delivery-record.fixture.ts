import { DeliveryRecordMessage } from '@quor/contracts';
import { randomUUID } from 'node:crypto';

/** Builds a delivery record as a worker would publish it, with overridable fields. */
export function deliveryRecord(
  organizationId: string,
  webhookId: string,
  overrides: Partial<DeliveryRecordMessage> = {},
): DeliveryRecordMessage {
  const startedAt = overrides.started_at ?? new Date().toISOString();

  return {
    delivery_id: randomUUID(),
    attempt_id: randomUUID(),
    kind: 'event',
    redelivery_of: null,
    event_id: randomUUID(),
    event_type: 'image.updated',
    occurred_at: startedAt,
    organization_id: organizationId,
    webhook_id: webhookId,
    request: {
      url: 'https://hooks.example.com/quor',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'x' },
      body: '{"registry":"registry.quor.dev","image":"default/image"}',
    },
    outcome: 'success',
    error_message: null,
    response: {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      content_type: 'text/plain',
      body: 'ok',
      body_truncated: false,
      body_bytes_seen: 2,
    },
    remote_address: '203.0.113.10',
    timings: {
      dns_ms: 1,
      connect_ms: 2,
      tls_ms: 5,
      first_byte_ms: 20,
      total_ms: 25,
    },
    started_at: startedAt,
    completed_at: startedAt,
    ...overrides,
  };
}
