import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import {
  DELIVERY_OUTCOMES,
  DeliveryOutcome,
  DELIVERY_EVENT_TYPES,
  DeliveryEventType,
} from '@quor/contracts';
import { PageQueryDto } from '../../webhooks/dto/list-query.dto';

/**
 * RFC 3339 date-time with a required offset, the `date-time` format of
 * OpenAPI. ISO 8601 forms such as week dates (`2026-W01`) or a bare year are
 * not accepted, because PostgreSQL cannot compare them with a timestamp.
 */
const DATE_TIME_PATTERN =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

function dateTimeMessage(field: string): string {
  return `${field} must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z`;
}

export class ListDeliveriesQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only attempts that ended with this outcome.',
    enum: DELIVERY_OUTCOMES,
  })
  @IsOptional()
  @IsIn(DELIVERY_OUTCOMES, {
    message: `outcome must be one of ${DELIVERY_OUTCOMES.join(', ')}`,
  })
  outcome?: DeliveryOutcome;

  @ApiPropertyOptional({
    description: 'Only attempts of this event type.',
    enum: DELIVERY_EVENT_TYPES,
  })
  @IsOptional()
  @IsIn(DELIVERY_EVENT_TYPES, {
    message: `event_type must be one of ${DELIVERY_EVENT_TYPES.join(', ')}`,
  })
  event_type?: DeliveryEventType;

  @ApiPropertyOptional({
    description:
      'Only attempts started at or after this time. Percent-encode the + of an offset as %2B.',
    format: 'date-time',
    example: '2026-01-31T12:00:00Z',
  })
  @IsOptional()
  @Matches(DATE_TIME_PATTERN, { message: dateTimeMessage('since') })
  @IsISO8601({ strict: true }, { message: dateTimeMessage('since') })
  since?: string;

  @ApiPropertyOptional({
    description:
      'Only attempts started before this time. Percent-encode the + of an offset as %2B.',
    format: 'date-time',
    example: '2026-02-01T00:00:00Z',
  })
  @IsOptional()
  @Matches(DATE_TIME_PATTERN, { message: dateTimeMessage('until') })
  @IsISO8601({ strict: true }, { message: dateTimeMessage('until') })
  until?: string;
}
