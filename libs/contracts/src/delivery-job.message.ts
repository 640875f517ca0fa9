import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
} from 'class-validator';
import { DELIVERY_EVENT_TYPES, DeliveryEventType } from './event-type';
import { ORGANIZATION_ID_PATTERN } from './organization-id';

export const DELIVERY_REQUESTED = 'delivery.requested';

/**
 * Why an attempt is made: an event fan-out, a customer's redelivery of an
 * earlier attempt, or a test ping of a saved webhook.
 */
export const DELIVERY_KINDS = ['event', 'redelivery', 'ping'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/**
 * Body of `delivery.requested` on `quor.webhooks`: everything one outbound
 * attempt needs, so delivery workers read no database. It carries signing
 * secrets and must never be logged whole.
 */
export class DeliveryJobMessage {
  /** Sent as `webhook-id`; the same for every attempt of one (event, webhook). */
  @IsUUID()
  delivery_id!: string;

  /** Unique per attempt; a redelivery gets a new one. */
  @IsUUID()
  attempt_id!: string;

  @IsIn(DELIVERY_KINDS)
  kind!: DeliveryKind;

  /** Attempt that a redelivery repeats. */
  @IsOptional()
  @IsUUID()
  redelivery_of?: string;

  @IsString()
  event_id!: string;

  @IsIn(DELIVERY_EVENT_TYPES)
  event_type!: DeliveryEventType;

  @IsISO8601()
  occurred_at!: string;

  @Matches(ORGANIZATION_ID_PATTERN)
  organization_id!: string;

  @IsUUID()
  webhook_id!: string;

  @IsString()
  url!: string;

  /** `whsec_` secrets, newest first; each produces one signature. */
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @Matches(/^whsec_[A-Za-z0-9+/=]+$/, { each: true })
  secrets!: string[];

  /** Body to send, serialized once by the worker and signed as sent. */
  @IsObject()
  @Type(() => Object)
  payload!: Record<string, unknown>;

  /** When the job was published, to measure time from event to delivery. */
  @IsISO8601()
  published_at!: string;
}
