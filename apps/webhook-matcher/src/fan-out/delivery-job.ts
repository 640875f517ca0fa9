import { hash } from 'node:crypto';
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

/** Namespaces parsed to their 16 bytes, so each is parsed once. */
const namespaceBytesCache = new Map<string, Buffer>();

function namespaceBytes(namespace: string): Buffer {
  let bytes = namespaceBytesCache.get(namespace);
  if (!bytes) {
    bytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (bytes.length !== 16) {
      throw new Error(`namespace ${namespace} is not a UUID`);
    }
    namespaceBytesCache.set(namespace, bytes);
  }

  return bytes;
}

/** Builds a version 5 (SHA-1, name-based) UUID as RFC 9562 defines it. */
export function uuidV5(name: string, namespace: string): string {
  const hashed = hash(
    'sha1',
    Buffer.concat([namespaceBytes(namespace), Buffer.from(name, 'utf8')]),
    'buffer',
  );
  hashed[6] = (hashed[6] & 0x0f) | 0x50;
  hashed[8] = (hashed[8] & 0x3f) | 0x80;

  const hex = hashed.toString('hex', 0, 16);

  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
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

/**
 * Serializes the jobs of one fan-out. The fields every job of the event
 * shares are serialized once, so each job costs its two ids and the JSON of
 * its webhook's fields. `encode` gives the same bytes as JSON.stringify of
 * buildDeliveryJob with the same arguments.
 */
export class DeliveryJobEncoder {
  private readonly eventFields: string;
  private readonly trailingFields: string;

  constructor(
    private readonly event: FanOutEvent,
    publishedAt: string,
  ) {
    this.eventFields =
      `"kind":"event","event_id":${JSON.stringify(event.event_id)},` +
      `"event_type":${JSON.stringify(IMAGE_UPDATED)},` +
      `"occurred_at":${JSON.stringify(event.occurred_at)},`;
    this.trailingFields =
      `"payload":${JSON.stringify(event.payload)},` +
      `"published_at":${JSON.stringify(publishedAt)}}`;
  }

  /** Returns the job's delivery id and its JSON body. */
  encode(target: JobTarget): { deliveryId: string; body: Buffer } {
    const deliveryId = deliveryIdFor(this.event.event_id, target.webhook_id);
    const attemptId = firstAttemptIdFor(this.event.event_id, target.webhook_id);
    const json =
      `{"delivery_id":"${deliveryId}","attempt_id":"${attemptId}",` +
      this.eventFields +
      `"organization_id":${JSON.stringify(target.organization_id)},` +
      `"webhook_id":${JSON.stringify(target.webhook_id)},` +
      `"url":${JSON.stringify(target.url)},` +
      `"secrets":${JSON.stringify(target.secrets)},` +
      this.trailingFields;

    return { deliveryId, body: Buffer.from(json, 'utf8') };
  }
}
