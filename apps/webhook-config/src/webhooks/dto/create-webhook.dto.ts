import {
  ApiProperty,
  ApiPropertyOptional,
  ApiPropertyOptions,
  ApiSchema,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { EVENT_TYPES, EventType } from '@quor/contracts';
import {
  IsImageSelection,
  ImageSelectionInput,
} from './image-selection.validator';
import { imagesSchema } from './image-reference.dto';
import {
  EVENT_TYPES_MESSAGE,
  IsPlainText,
  NAME_MAX_LENGTH,
  NAME_MESSAGE,
  trim,
  URL_MAX_LENGTH,
  URL_MESSAGE,
  ValidateIfPresent,
} from './webhook-fields';

export const NAME_PROPERTY: ApiPropertyOptions = {
  description:
    'Label shown in the dashboard. Leading and trailing white space is removed.',
  example: 'Deploy hook',
  minLength: 1,
  maxLength: NAME_MAX_LENGTH,
};

export const URL_PROPERTY = {
  description:
    'Receiver endpoint. Only https:// URLs with a public host name or address are accepted; ' +
    'user names, passwords and fragments are rejected.',
  example: 'https://hooks.example.com/quor',
  format: 'uri',
  maxLength: URL_MAX_LENGTH,
};

export const EVENT_TYPES_PROPERTY: ApiPropertyOptions = {
  description: 'Event types that trigger a delivery.',
  type: 'string',
  isArray: true,
  enum: [...EVENT_TYPES],
  minItems: 1,
  uniqueItems: true,
  example: ['image.updated'],
};

export const IMAGES_DESCRIPTION =
  'Images whose rebuilds trigger a delivery: "all" or a list of subscribed images.';

@ApiSchema({ name: 'CreateWebhook' })
export class CreateWebhookDto {
  @ApiProperty(NAME_PROPERTY)
  @Transform(trim)
  @IsString({ message: NAME_MESSAGE })
  @Length(1, NAME_MAX_LENGTH, { message: NAME_MESSAGE })
  @IsPlainText({ message: NAME_MESSAGE })
  name!: string;

  @ApiProperty(URL_PROPERTY)
  @IsString({ message: URL_MESSAGE })
  @MaxLength(URL_MAX_LENGTH, { message: URL_MESSAGE })
  @IsPlainText({ message: URL_MESSAGE })
  url!: string;

  @ApiProperty(EVENT_TYPES_PROPERTY)
  @IsArray({ message: EVENT_TYPES_MESSAGE })
  @ArrayMinSize(1, { message: EVENT_TYPES_MESSAGE })
  @ArrayUnique({ message: EVENT_TYPES_MESSAGE })
  @IsIn(EVENT_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  event_types!: EventType[];

  @ApiProperty(imagesSchema(IMAGES_DESCRIPTION))
  @IsDefined({ message: 'images is required; send "all" or a list of images' })
  @IsImageSelection()
  images!: ImageSelectionInput;

  @ApiPropertyOptional({
    description:
      'Whether deliveries are sent. Creating an enabled webhook counts against the plan limit.',
    default: true,
    example: true,
  })
  @ValidateIfPresent()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}
