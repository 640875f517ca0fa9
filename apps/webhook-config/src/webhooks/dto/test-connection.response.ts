import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { DELIVERY_OUTCOMES, type DeliveryOutcome } from '@quor/contracts';
import { AttemptTimingsResponse } from '../../deliveries/dto/delivery.response';

@ApiSchema({ name: 'TestConnectionResponse' })
export class TestConnectionResponseSummary {
  @ApiProperty({ type: 'integer', example: 200 })
  status!: number;

  @ApiProperty({ type: 'string', nullable: true, example: 'text/plain' })
  content_type!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Start of a text body, or null when the body is not text.',
    example: 'ok',
  })
  body!: string | null;

  @ApiProperty({
    description: 'True when the body was longer than what was read.',
  })
  body_truncated!: boolean;
}

@ApiSchema({
  name: 'TestConnectionResult',
  description:
    'Outcome of one test ping to an unsaved URL, sent by a delivery worker under the same egress rules as deliveries.',
})
export class TestConnectionResultResponse {
  @ApiProperty({
    enum: DELIVERY_OUTCOMES,
    description:
      'How the attempt ended. Only success means a 2xx response arrived in time.',
  })
  outcome!: DeliveryOutcome;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'What failed and what to do, or null on success.',
  })
  error_message!: string | null;

  @ApiProperty({
    type: () => TestConnectionResponseSummary,
    nullable: true,
    description: 'null when no response arrived.',
  })
  response!: TestConnectionResponseSummary | null;

  @ApiProperty({ type: () => AttemptTimingsResponse })
  timings!: AttemptTimingsResponse;
}
