import {
  IsISO8601,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { IMAGE_MAX_LENGTH, IMAGE_PATTERN, REGISTRY_PATTERN } from './patterns';
import { ORGANIZATION_ID_PATTERN } from './organization-id';

export const SUBSCRIPTION_CREATED = 'subscription.created';
export const SUBSCRIPTION_DELETED = 'subscription.deleted';

/**
 * Body of `subscription.created` and `subscription.deleted` on
 * `quor.events`: an organization subscribed to, or unsubscribed from, one
 * image. Consumers order changes to the same subscription by `occurred_at`,
 * so a late duplicate or an out-of-order pair leaves the newest state.
 */
export class SubscriptionMessage {
  @IsString({ message: 'event_id must be a string such as a UUID' })
  @Length(1, 200, { message: 'event_id must be 1 to 200 characters' })
  event_id!: string;

  @IsISO8601(
    { strict: true, strictSeparator: true },
    {
      message:
        'occurred_at must be an ISO 8601 date-time such as 2026-12-03T10:15:00Z',
    },
  )
  occurred_at!: string;

  @IsString()
  @Matches(ORGANIZATION_ID_PATTERN, {
    message: 'organization_id must be 1 to 64 letters, digits, "_" or "-"',
  })
  organization_id!: string;

  @IsString()
  @Matches(REGISTRY_PATTERN, {
    message:
      'registry must be a lowercase host name with an optional port, such as registry.quor.dev',
  })
  registry!: string;

  @IsString()
  @MaxLength(IMAGE_MAX_LENGTH, {
    message: `image must be at most ${IMAGE_MAX_LENGTH} characters`,
  })
  @Matches(IMAGE_PATTERN, {
    message: 'image must be a lowercase repository path such as default/image',
  })
  image!: string;
}
