import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  DELIVERY_EVENT_TYPES,
  DELIVERY_KINDS,
  DELIVERY_OUTCOMES,
  type DeliveryEventType,
  type DeliveryKind,
  type DeliveryOutcome,
  RESPONSE_BODY_CAP_BYTES,
} from '@quor/contracts';

const OUTCOME_DESCRIPTION =
  'How the attempt ended. Only success means a 2xx response arrived in time.';

@ApiSchema({
  name: 'AttemptTimings',
  description:
    'Milliseconds from the start of the attempt; null for phases not reached.',
})
export class AttemptTimingsResponse {
  @ApiProperty({ type: 'number', nullable: true, example: 3 })
  dns_ms!: number | null;

  @ApiProperty({ type: 'number', nullable: true, example: 12 })
  connect_ms!: number | null;

  @ApiProperty({
    type: 'number',
    nullable: true,
    example: 30,
    description: 'Time until the TLS handshake completed.',
  })
  tls_ms!: number | null;

  @ApiProperty({
    type: 'number',
    nullable: true,
    example: 85,
    description: 'Time until the first response byte arrived.',
  })
  first_byte_ms!: number | null;

  @ApiProperty({ type: 'number', example: 90 })
  total_ms!: number;
}

@ApiSchema({
  name: 'RecordedRequest',
  description: 'The request as sent, including the signature headers.',
})
export class RecordedRequestResponse {
  @ApiProperty({ example: 'https://hooks.example.com/quor' })
  url!: string;

  @ApiProperty({ enum: ['POST'], example: 'POST' })
  method!: 'POST';

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: {
      'content-type': 'application/json',
      'webhook-id': '0b6f3c2e-6a57-4b8e-9d54-0e3f2c1a7b90',
    },
  })
  headers!: Record<string, string>;

  @ApiProperty({
    description: 'The JSON payload as sent.',
    example: '{"type":"image.updated"}',
  })
  body!: string;
}

@ApiSchema({
  name: 'RecordedResponse',
  description: 'The receiver response as far as it was read.',
})
export class RecordedResponseResponse {
  @ApiProperty({ type: 'integer', example: 200 })
  status!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    example: { 'content-type': 'text/plain' },
  })
  headers!: Record<string, string | string[]>;

  @ApiProperty({ type: 'string', nullable: true, example: 'text/plain' })
  content_type!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: `First ${RESPONSE_BODY_CAP_BYTES} bytes of a text body, or null when the body is not text.`,
    example: 'ok',
  })
  body!: string | null;

  @ApiProperty({
    description: 'True when the body was longer than what was stored.',
  })
  body_truncated!: boolean;

  @ApiProperty({
    type: 'integer',
    description: 'Body bytes received before reading stopped.',
    example: 2,
  })
  body_bytes_seen!: number;
}

@ApiSchema({
  name: 'DeliverySummary',
  description: 'One outbound attempt without the full request and response.',
})
export class DeliverySummaryResponse {
  @ApiProperty({ format: 'uuid', description: 'Id of the attempt.' })
  id!: string;

  @ApiProperty({
    format: 'uuid',
    description:
      'Sent as the webhook-id header; shared by every attempt of one event for one webhook.',
  })
  delivery_id!: string;

  @ApiProperty({ format: 'uuid' })
  webhook_id!: string;

  @ApiProperty({
    enum: DELIVERY_KINDS,
    description:
      'event for an image rebuild, redelivery for a repeated attempt, ping for a test ping.',
  })
  kind!: DeliveryKind;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'Attempt that this redelivery repeats.',
  })
  redelivery_of!: string | null;

  @ApiProperty({ example: '5d1c2b7e-3f4a-4c8b-9e1d-7a6b5c4d3e2f' })
  event_id!: string;

  @ApiProperty({ enum: DELIVERY_EVENT_TYPES })
  event_type!: DeliveryEventType;

  @ApiProperty({ enum: DELIVERY_OUTCOMES, description: OUTCOME_DESCRIPTION })
  outcome!: DeliveryOutcome;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'HTTP status of the response, or null when none arrived.',
    example: 200,
  })
  status!: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'What failed and what to do, or null on success.',
  })
  error_message!: string | null;

  @ApiProperty({ type: 'integer', example: 90 })
  duration_ms!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    maxLength: 200,
    description: 'First 200 characters of the response body.',
    example: 'ok',
  })
  response_excerpt!: string | null;

  @ApiProperty({ format: 'date-time' })
  started_at!: string;
}

@ApiSchema({
  name: 'Delivery',
  description:
    'One outbound attempt with the request as sent and the response as received.',
})
export class DeliveryResponse extends DeliverySummaryResponse {
  @ApiProperty({ format: 'date-time', description: 'When the event occurred.' })
  occurred_at!: string;

  @ApiProperty({ type: () => RecordedRequestResponse })
  request!: RecordedRequestResponse;

  @ApiProperty({
    type: () => RecordedResponseResponse,
    nullable: true,
    description: 'null when no response arrived.',
  })
  response!: RecordedResponseResponse | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Address the connection went to, or null when none was made.',
    example: '203.0.113.10',
  })
  remote_address!: string | null;

  @ApiProperty({ type: () => AttemptTimingsResponse })
  timings!: AttemptTimingsResponse;

  @ApiProperty({ format: 'date-time' })
  completed_at!: string;
}

@ApiSchema({
  name: 'DeliveryPage',
  description: 'Attempts of one webhook, newest first.',
})
export class DeliveryPageResponse {
  @ApiProperty({ type: () => DeliverySummaryResponse, isArray: true })
  data!: DeliverySummaryResponse[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Cursor of the next page, or null on the last page.',
  })
  next_cursor!: string | null;
}

@ApiSchema({
  name: 'DeliveryRequested',
  description:
    'An attempt that was queued for a delivery worker; its record appears in the delivery list when it ends.',
})
export class DeliveryRequestedResponse {
  @ApiProperty({ format: 'uuid', description: 'Id of the new attempt.' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  delivery_id!: string;

  @ApiProperty({ enum: ['redelivery', 'ping'] })
  kind!: DeliveryKind;

  @ApiProperty({ enum: ['queued'] })
  status!: string;
}
