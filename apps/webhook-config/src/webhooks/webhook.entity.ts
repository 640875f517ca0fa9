import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EventType } from '@quor/contracts';

export interface ImageSelection {
  registry: string;
  image: string;
}

@Entity({ name: 'webhook' })
export class WebhookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  url!: string;

  @Column('text', { name: 'event_types', array: true })
  eventTypes!: EventType[];

  /** True when the webhook fires for every image the organization subscribes to. */
  @Column('boolean', { name: 'all_images' })
  allImages!: boolean;

  /** Images selected one by one; empty when `allImages` is true. */
  @Column('jsonb')
  images!: ImageSelection[];

  @Column('boolean')
  enabled!: boolean;

  /** Reason the system disabled the webhook, or null. */
  @Column('text', { name: 'disabled_reason', nullable: true })
  disabledReason!: string | null;

  @Column('text')
  secret!: string;

  /** Secret replaced by the last rotation, still signing until it expires. */
  @Column('text', { name: 'previous_secret', nullable: true })
  previousSecret!: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Grows with every change, so consumers can order change messages. */
  @Column('bigint', {
    transformer: {
      to: (value: number) => value,
      from: (value: string) => Number(value),
    },
  })
  version!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
