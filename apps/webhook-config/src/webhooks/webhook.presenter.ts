import type {
  WebhookResponse,
  WebhookWithSecretResponse,
} from './dto/webhook.response';
import type { WebhookEntity } from './webhook.entity';

/** Maps a webhook to the form the API returns, without its secret. */
export function presentWebhook(webhook: WebhookEntity): WebhookResponse {
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
  };
}

/** Maps a webhook to the form the API returns when it is created or its secret rotated. */
export function presentWebhookWithSecret(
  webhook: WebhookEntity,
): WebhookWithSecretResponse {
  return { ...presentWebhook(webhook), secret: webhook.secret };
}
