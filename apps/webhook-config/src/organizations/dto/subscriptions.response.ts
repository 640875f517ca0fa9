import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ImageReferenceDto } from '../../webhooks/dto/image-reference.dto';

@ApiSchema({
  name: 'Subscriptions',
  description:
    'Images the organization subscribes to, sorted by registry and image; a webhook can select any of them.',
})
export class SubscriptionsResponse {
  @ApiProperty({ type: () => ImageReferenceDto, isArray: true })
  data!: ImageReferenceDto[];
}
