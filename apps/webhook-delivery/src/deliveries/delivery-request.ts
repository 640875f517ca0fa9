import { DeliveryJobMessage } from '@quor/contracts';
import { signWebhook } from '@quor/egress';

/** Product name and version in the User-Agent of every request. */
export const USER_AGENT = 'Quor-Webhooks/0.1 (+https://quor.dev/webhooks)';

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Serializes the job's payload once and signs those exact bytes with every
 * active secret (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`). The event id and time travel in headers.
 */
export function buildDeliveryRequest(
  job: DeliveryJobMessage,
  now: Date,
): OutgoingRequest {
  const body = JSON.stringify(job.payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  const signature = signWebhook({
    id: job.delivery_id,
    timestamp,
    body,
    secrets: job.secrets,
  });

  return {
    url: job.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': job.delivery_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
      'quor-event-type': job.event_type,
      'quor-event-id': job.event_id,
      'quor-event-occurred-at': job.occurred_at,
      'quor-attempt-id': job.attempt_id,
    },
  };
}
