import { DeliveryJobMessage } from '@quor/contracts';
import { generateWebhookSecret } from '@quor/egress';
import { randomUUID } from 'node:crypto';

/** Builds a valid `image.updated` delivery job to `url`; ids are new each call. */
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
    organization_id: 'org_operations_tests',
    webhook_id: randomUUID(),
    url,
    secrets: [generateWebhookSecret(), generateWebhookSecret()],
    payload: {
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
