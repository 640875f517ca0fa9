import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { EventType } from '@quor/contracts';
import {
  EVENT_TYPES_PROPERTY,
  IMAGES_DESCRIPTION,
  NAME_PROPERTY,
  URL_PROPERTY,
} from './create-webhook.dto';
import { ImageReferenceDto, imagesSchema } from './image-reference.dto';

@ApiSchema({ name: 'Webhook' })
export class WebhookResponse {
  @ApiProperty({
    format: 'uuid',
    example: '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e',
  })
  id!: string;

  @ApiProperty(NAME_PROPERTY)
  name!: string;

  @ApiProperty(URL_PROPERTY)
  url!: string;

  @ApiProperty(EVENT_TYPES_PROPERTY)
  event_types!: EventType[];

  @ApiProperty(imagesSchema(IMAGES_DESCRIPTION))
  images!: 'all' | ImageReferenceDto[];

  @ApiProperty({ description: 'Whether deliveries are sent.' })
  enabled!: boolean;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'Why the service disabled the webhook, for example because the plan limit was lowered; null otherwise.',
    example: null,
  })
  disabled_reason!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

@ApiSchema({
  name: 'WebhookWithSecret',
  description:
    'A webhook with its signing secret, returned only when the webhook is created and when its secret is rotated.',
})
export class WebhookWithSecretResponse extends WebhookResponse {
  @ApiProperty({
    description:
      'Signing secret in the Standard Webhooks format. Store it now: no other response contains it.',
    pattern: '^whsec_[A-Za-z0-9+/=]+$',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
}

@ApiSchema({
  name: 'WebhookPage',
  description: 'Webhooks of the organization in creation order.',
})
export class WebhookPageResponse {
  @ApiProperty({ type: () => WebhookResponse, isArray: true })
  data!: WebhookResponse[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Cursor of the next page, or null on the last page.',
  })
  next_cursor!: string | null;
}
