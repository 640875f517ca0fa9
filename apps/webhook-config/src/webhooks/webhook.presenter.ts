import type { WebhookEntity } from './webhook.entity';

/** A webhook as the API returns it; the secret only when just created or rotated. */
export function presentWebhook(
  webhook: WebhookEntity,
  options: { withSecret?: boolean } = {},
) {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    event_types: webhook.eventTypes,
    images: webhook.allImages ? 'all' : webhook.images,
    enabled: webhook.enabled,
    disabled_reason: webhook.disabledReason,
    created_at: webhook.createdAt.toISOString(),
    updated_at: webhook.updatedAt.toISOString(),
    ...(options.withSecret ? { secret: webhook.secret } : {}),
  };
}

export type WebhookView = ReturnType<typeof presentWebhook>;
