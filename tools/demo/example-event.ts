import { EXAMPLE_IMAGE_UPDATED } from '@quor/contracts';
import { randomUUID } from 'node:crypto';

export const DEMO_REGISTRY = EXAMPLE_IMAGE_UPDATED.registry;
export const DEMO_IMAGE = EXAMPLE_IMAGE_UPDATED.image;

/**
 * Returns the documented example `image.updated` body with a fresh
 * `event_id` and `occurred_at`, because the matcher fires each event id
 * once and the demo must deliver on every run.
 */
export function exampleImageUpdated() {
  return {
    ...EXAMPLE_IMAGE_UPDATED,
    event_id: randomUUID(),
    occurred_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
