import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Plan } from '@quor/contracts';

/** An organization's plan, as the platform last announced it. */
@Entity({ name: 'organization' })
export class OrganizationEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  plan!: Plan;

  @Column('timestamptz', { name: 'trial_started_at', nullable: true })
  trialStartedAt!: Date | null;

  /** `occurred_at` of the plan change applied last; older ones are ignored. */
  @Column('timestamptz', { name: 'plan_changed_at' })
  planChangedAt!: Date;

  /** When the plan's limit was last enforced on the webhooks. */
  @Column('timestamptz', { name: 'limit_applied_at', nullable: true })
  limitAppliedAt!: Date | null;
}
