import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { EVENT_TYPES, EventType } from '@quor/contracts';
import {
  EVENT_TYPES_PROPERTY,
  IMAGES_DESCRIPTION,
  NAME_PROPERTY,
  URL_PROPERTY,
} from './create-webhook.dto';
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

/**
 * Partial update: only the fields present change. Enabling and disabling
 * have their own operations because enabling is subject to the plan.
 */
@ApiSchema({
  name: 'UpdateWebhook',
  description:
    'Fields to change; absent fields keep their value. Use the enable and disable operations to switch deliveries.',
})
export class UpdateWebhookDto {
  @ApiPropertyOptional(NAME_PROPERTY)
  @ValidateIfPresent()
  @Transform(trim)
  @IsString({ message: NAME_MESSAGE })
  @Length(1, NAME_MAX_LENGTH, { message: NAME_MESSAGE })
  @IsPlainText({ message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional(URL_PROPERTY)
  @ValidateIfPresent()
  @IsString({ message: URL_MESSAGE })
  @MaxLength(URL_MAX_LENGTH, { message: URL_MESSAGE })
  @IsPlainText({ message: URL_MESSAGE })
  url?: string;

  @ApiPropertyOptional(EVENT_TYPES_PROPERTY)
  @ValidateIfPresent()
  @IsArray({ message: EVENT_TYPES_MESSAGE })
  @ArrayMinSize(1, { message: EVENT_TYPES_MESSAGE })
  @ArrayUnique({ message: EVENT_TYPES_MESSAGE })
  @IsIn(EVENT_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  event_types?: EventType[];

  @ApiPropertyOptional(imagesSchema(IMAGES_DESCRIPTION))
  @ValidateIfPresent()
  @IsImageSelection()
  images?: ImageSelectionInput;
}
