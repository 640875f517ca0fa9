import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * A message written in the same transaction as the change it announces and
 * published by the relay after commit, so that a committed change is never
 * lost and an uncommitted one is never published.
 */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column('text')
  exchange!: string;

  @Column('text', { name: 'routing_key' })
  routingKey!: string;

  @Column('text', { name: 'message_id' })
  messageId!: string;

  /** Stored as json, not jsonb, so the key order of a delivery payload survives. */
  @Column('json')
  payload!: object;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
