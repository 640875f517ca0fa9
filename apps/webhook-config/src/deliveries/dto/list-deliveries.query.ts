import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import {
  DELIVERY_OUTCOMES,
  DeliveryOutcome,
  DELIVERY_EVENT_TYPES,
  DeliveryEventType,
} from '@quor/contracts';
import { PageQueryDto } from '../../webhooks/dto/list-query.dto';

export class ListDeliveriesQuery extends PageQueryDto {
  @IsOptional()
  @IsIn(DELIVERY_OUTCOMES, {
    message: `outcome must be one of ${DELIVERY_OUTCOMES.join(', ')}`,
  })
  outcome?: DeliveryOutcome;

  @IsOptional()
  @IsIn(DELIVERY_EVENT_TYPES, {
    message: `event_type must be one of ${DELIVERY_EVENT_TYPES.join(', ')}`,
  })
  event_type?: DeliveryEventType;

  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'since must be an ISO 8601 date-time' },
  )
  since?: string;

  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'until must be an ISO 8601 date-time' },
  )
  until?: string;
}
