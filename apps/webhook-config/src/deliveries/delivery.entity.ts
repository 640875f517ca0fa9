import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  AttemptTimings,
  DeliveryKind,
  DeliveryOutcome,
  DeliveryEventType,
  RecordedRequest,
  RecordedResponse,
} from '@quor/contracts';

/** One outbound attempt, as the delivery worker reported it. */
@Entity({ name: 'delivery' })
export class DeliveryEntity {
  @PrimaryColumn('uuid', { name: 'attempt_id' })
  attemptId!: string;

  @Column('uuid', { name: 'delivery_id' })
  deliveryId!: string;

  @Column('uuid', { name: 'webhook_id' })
  webhookId!: string;

  @Column('text', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  kind!: DeliveryKind;

  @Column('uuid', { name: 'redelivery_of', nullable: true })
  redeliveryOf!: string | null;

  @Column('text', { name: 'event_id' })
  eventId!: string;

  @Column('text', { name: 'event_type' })
  eventType!: DeliveryEventType;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Column('text')
  outcome!: DeliveryOutcome;

  @Column('integer', { nullable: true })
  status!: number | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @Column('jsonb')
  request!: RecordedRequest;

  @Column('jsonb', { nullable: true })
  response!: RecordedResponse | null;

  @Column('text', { name: 'remote_address', nullable: true })
  remoteAddress!: string | null;

  @Column('jsonb')
  timings!: AttemptTimings;

  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'completed_at' })
  completedAt!: Date;
}
