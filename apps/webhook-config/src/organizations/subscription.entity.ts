import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An organization's subscription to one image. An unsubscribed image keeps
 * its row with `subscribed` false, so an older message arriving late cannot
 * bring it back.
 */
@Entity({ name: 'subscription' })
export class SubscriptionEntity {
  @PrimaryColumn('text', { name: 'organization_id' })
  organizationId!: string;

  @PrimaryColumn('text')
  registry!: string;

  @PrimaryColumn('text')
  image!: string;

  @Column('boolean')
  subscribed!: boolean;

  @Column('timestamptz', { name: 'changed_at' })
  changedAt!: Date;
}
