import { createHash } from 'node:crypto';
import {
  DeliveryJobMessage,
  IMAGE_UPDATED,
  ImageUpdatedPayload,
} from '@quor/contracts';

/**
 * Namespace of the name-based delivery and attempt ids. Changing it changes
 * every id, so a redelivered event would no longer match its first jobs.
 */
export const DELIVERY_ID_NAMESPACE = '1cd53e26-865b-4ad6-954e-b0ac24a151d6';

/** Webhook fields that a delivery job carries. */
export interface JobTarget {
  webhook_id: string;
  organization_id: string;
  url: string;
  secrets: string[];
}

/** Builds a version 5 (SHA-1, name-based) UUID as RFC 9562 defines it. */
export function uuidV5(name: string, namespace: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) {
    throw new Error(`namespace ${namespace} is not a UUID`);
  }

  const hash = createHash('sha1')
    .update(namespaceBytes)
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;

  const hex = hash.subarray(0, 16).toString('hex');

  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

/** Delivery id of (event, webhook); every publication of that job reuses it. */
export function deliveryIdFor(eventId: string, webhookId: string): string {
  return uuidV5(`${eventId}/${webhookId}`, DELIVERY_ID_NAMESPACE);
}

/**
 * Attempt id of the fan-out's single attempt. It is name-based too, so a
 * job published twice carries the same attempt id and its delivery record
 * is stored once.
 */
export function firstAttemptIdFor(eventId: string, webhookId: string): string {
  return uuidV5(`${eventId}/${webhookId}/attempt-1`, DELIVERY_ID_NAMESPACE);
}

/** Event fields shared by every job of one fan-out. */
export interface FanOutEvent {
  event_id: string;
  occurred_at: string;
  payload: ImageUpdatedPayload;
}

/** Builds the `delivery.requested` body for one matched webhook. */
export function buildDeliveryJob(
  event: FanOutEvent,
  target: JobTarget,
  publishedAt: string,
): DeliveryJobMessage {
  return {
    delivery_id: deliveryIdFor(event.event_id, target.webhook_id),
    attempt_id: firstAttemptIdFor(event.event_id, target.webhook_id),
    kind: 'event',
    event_id: event.event_id,
    event_type: IMAGE_UPDATED,
    occurred_at: event.occurred_at,
    organization_id: target.organization_id,
    webhook_id: target.webhook_id,
    url: target.url,
    secrets: target.secrets,
    payload: { ...event.payload },
    published_at: publishedAt,
  };
}
