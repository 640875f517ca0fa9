import { EXAMPLE_IMAGE_UPDATED } from '@quor/contracts';
import { randomUUID } from 'node:crypto';

export { EXAMPLE_IMAGE_UPDATED };

export const REGISTRY = EXAMPLE_IMAGE_UPDATED.registry;

let sequence = 0;

/** Returns a name no other test of this run uses, e.g. `rules-4411-7`. */
export function uniqueName(prefix: string): string {
  sequence += 1;

  return `${prefix}-${process.pid}-${sequence}`;
}

/** Returns an image path no other test of this run uses. */
export function uniqueImage(prefix = 'image'): string {
  return `test/${uniqueName(prefix)}`;
}

/** Returns a fresh `image.updated` body for `image`, based on the example. */
export function imageUpdated(
  image: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...EXAMPLE_IMAGE_UPDATED,
    event_id: randomUUID(),
    image,
    ...overrides,
  };
}

/**
 * Returns a `webhook.changed` body for an enabled webhook that selects
 * image.updated on all images. Its URL points at a closed loopback port so
 * that a delivery worker on the shared broker never sends anything out.
 */
export function webhookChanged(
  organizationId: string,
  overrides: Record<string, unknown> = {},
): WebhookChangedBody {
  const webhookId = randomUUID();

  return {
    webhook_id: webhookId,
    organization_id: organizationId,
    version: 1,
    deleted: false,
    enabled: true,
    url: `https://127.0.0.1:9/hooks/${webhookId}`,
    secrets: ['whsec_dGVzdC1zaWduaW5nLXNlY3JldC0xMjM0NTY3ODkw'],
    event_types: ['image.updated'],
    all_images: true,
    images: [],
    changed_at: new Date().toISOString(),
    ...overrides,
  };
}

export interface WebhookChangedBody {
  webhook_id: string;
  organization_id: string;
  version: number;
  deleted: boolean;
  enabled: boolean;
  url: string;
  secrets: string[];
  event_types: string[];
  all_images: boolean;
  images: { registry: string; image: string }[];
  changed_at: string;
  [field: string]: unknown;
}

/**
 * Hands out strictly increasing ISO 8601 times, one second apart, so
 * messages of one suite have a known order.
 */
export class ChangeClock {
  private next = Date.parse('2026-12-01T00:00:00Z');

  tick(): string {
    this.next += 1_000;

    return new Date(this.next).toISOString();
  }
}
