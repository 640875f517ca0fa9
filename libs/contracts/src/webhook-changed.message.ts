import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Matches,
  NotContains,
  Min,
  ValidateNested,
} from 'class-validator';
import { EVENT_TYPES, EventType } from './event-type';
import { ORGANIZATION_ID_PATTERN } from './organization-id';

export const WEBHOOK_CHANGED = 'webhook.changed';

/** Maximum images a webhook can select one by one. */
export const MAX_WEBHOOK_IMAGES = 500;

export class ImageReference {
  @IsString()
  registry!: string;

  @IsString()
  image!: string;
}

/**
 * Body of `webhook.changed` on `quor.webhooks`: the whole current state of
 * one webhook, published by webhook-config through its outbox after every
 * committed change. `version` grows with each change, so a consumer applies
 * a message only when its version is newer than what it has. A deleted
 * webhook arrives with `deleted: true`.
 */
export class WebhookChangedMessage {
  @IsUUID()
  webhook_id!: string;

  @Matches(ORGANIZATION_ID_PATTERN)
  organization_id!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsBoolean()
  deleted!: boolean;

  @IsBoolean()
  enabled!: boolean;

  /** PostgreSQL text cannot hold NUL, so such a URL could not be stored. */
  @IsString()
  @NotContains('\u0000', {
    message: 'url contains a NUL character; send the URL as saved',
  })
  url!: string;

  /** Signing secrets, newest first; more than one while a rotation overlaps. */
  @IsArray()
  @IsString({ each: true })
  secrets!: string[];

  @IsArray()
  @IsIn(EVENT_TYPES, { each: true })
  event_types!: EventType[];

  /** True when the webhook selects all images the organization subscribes to. */
  @IsBoolean()
  all_images!: boolean;

  @IsArray()
  @ArrayMaxSize(MAX_WEBHOOK_IMAGES)
  @ValidateNested({ each: true })
  @Type(() => ImageReference)
  images!: ImageReference[];

  @IsISO8601()
  changed_at!: string;
}
