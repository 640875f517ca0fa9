import { ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import {
  IMAGE_MAX_LENGTH,
  IMAGE_PATTERN,
  MAX_WEBHOOK_IMAGES,
  REGISTRY_PATTERN,
} from '@quor/contracts';

/** One container image: the registry host and the repository path. */
@ApiSchema({ name: 'ImageReference' })
export class ImageReferenceDto {
  @ApiProperty({
    description: 'Registry host name with an optional port.',
    example: 'registry.quor.dev',
    pattern: REGISTRY_PATTERN.source,
    maxLength: 259,
  })
  registry!: string;

  @ApiProperty({
    description:
      'Repository path as the OCI distribution specification defines it.',
    example: 'default/image',
    pattern: IMAGE_PATTERN.source,
    maxLength: IMAGE_MAX_LENGTH,
  })
  image!: string;
}

/**
 * Schema of `images`: `"all"` or a list of image references. Operations that
 * use it must register `ImageReferenceDto` with `@ApiExtraModels`.
 */
export function imagesSchema(description: string) {
  return {
    description,
    oneOf: [
      {
        type: 'string' as const,
        enum: ['all'],
        description:
          'Every image the organization subscribes to, now and later.',
      },
      {
        type: 'array' as const,
        items: { $ref: getSchemaPath(ImageReferenceDto) },
        minItems: 1,
        maxItems: MAX_WEBHOOK_IMAGES,
        uniqueItems: true,
        description:
          'Images selected one by one; each must be listed by GET /v1/subscriptions.',
      },
    ],
    example: [{ registry: 'registry.quor.dev', image: 'default/image' }],
  };
}
