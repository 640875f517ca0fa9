import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PLANS, type Plan } from '@quor/contracts';

@ApiSchema({
  name: 'Plan',
  description: 'The plan of the organization and how many webhooks it uses.',
})
export class PlanResponse {
  @ApiProperty({
    enum: PLANS,
    description:
      'An organization that the platform has not announced yet is on the free plan.',
  })
  plan!: Plan;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'End of the trial; null on other plans.',
  })
  trial_ends_at!: string | null;

  @ApiProperty({ description: 'True when the trial has ended.' })
  trial_expired!: boolean;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Webhooks that may be enabled now; null is unlimited.',
    example: 1,
  })
  webhook_limit!: number | null;

  @ApiProperty({ type: 'integer', example: 1 })
  webhooks_enabled!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Webhooks stored, enabled or not.',
    example: 2,
  })
  webhooks_total!: number;
}
