import { DeliveryJobMessage } from '@quor/contracts';
import { generateWebhookSecret } from '@quor/egress';
import { randomUUID } from 'node:crypto';

export const TEST_ORGANIZATION_ID = 'org_delivery_tests';

/**
 * Builds a valid `image.updated` delivery job to `url` with one fresh
 * secret. Ids are new on every call.
 */
export function deliveryJob(
  url: string,
  overrides: Partial<DeliveryJobMessage> = {},
): DeliveryJobMessage {
  const eventId = randomUUID();
  const occurredAt = new Date().toISOString();

  return {
    delivery_id: randomUUID(),
    attempt_id: randomUUID(),
    kind: 'event',
    event_id: eventId,
    event_type: 'image.updated',
    occurred_at: occurredAt,
    organization_id: TEST_ORGANIZATION_ID,
    webhook_id: randomUUID(),
    url,
    secrets: [generateWebhookSecret()],
    payload: {
      event_id: eventId,
      occurred_at: occurredAt,
      registry: 'registry.quor.dev',
      image: 'default/image',
      tag: '1.2-alpine',
      digest:
        'sha256:843b9c5e4dd478148afceeb6a8f2b0797fe041dbf88b38954d345e2618162c36',
    },
    published_at: occurredAt,
    ...overrides,
  };
}
