import { Transform } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { EVENT_TYPES, EventType } from '@quor/contracts';
import {
  IsImageSelection,
  ImageSelectionInput,
} from './image-selection.validator';
import {
  EVENT_TYPES_MESSAGE,
  NAME_MAX_LENGTH,
  NAME_MESSAGE,
  trim,
  URL_MAX_LENGTH,
  URL_MESSAGE,
} from './webhook-fields';

export class CreateWebhookDto {
  @Transform(trim)
  @IsString({ message: NAME_MESSAGE })
  @Length(1, NAME_MAX_LENGTH, { message: NAME_MESSAGE })
  name!: string;

  @IsString({ message: URL_MESSAGE })
  @MaxLength(URL_MAX_LENGTH, { message: URL_MESSAGE })
  url!: string;

  @IsArray({ message: EVENT_TYPES_MESSAGE })
  @ArrayMinSize(1, { message: EVENT_TYPES_MESSAGE })
  @ArrayUnique({ message: EVENT_TYPES_MESSAGE })
  @IsIn(EVENT_TYPES, { each: true, message: EVENT_TYPES_MESSAGE })
  event_types!: EventType[];

  @IsDefined({ message: 'images is required; send "all" or a list of images' })
  @IsImageSelection()
  images!: ImageSelectionInput;

  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}
