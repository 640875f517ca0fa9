import { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates the tables of webhook-config in its own schema. */
export class CreateConfigSchema1764806400000 implements MigrationInterface {
  name = 'CreateConfigSchema1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organization (
        id text PRIMARY KEY,
        plan text NOT NULL CHECK (plan IN ('trial', 'free', 'enterprise')),
        trial_started_at timestamptz,
        plan_changed_at timestamptz NOT NULL,
        limit_applied_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE subscription (
        organization_id text NOT NULL,
        registry text NOT NULL,
        image text NOT NULL,
        subscribed boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, registry, image)
      )`);
    await runner.query(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY,
        organization_id text NOT NULL,
        name text NOT NULL,
        url text NOT NULL,
        event_types text[] NOT NULL,
        all_images boolean NOT NULL,
        images jsonb NOT NULL DEFAULT '[]',
        enabled boolean NOT NULL,
        disabled_reason text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        version bigint NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX webhook_organization_created_idx ON webhook (organization_id, created_at, id)',
    );
    await runner.query(`
      CREATE TABLE delivery (
        attempt_id uuid PRIMARY KEY,
        delivery_id uuid NOT NULL,
        webhook_id uuid NOT NULL,
        organization_id text NOT NULL,
        kind text NOT NULL,
        redelivery_of uuid,
        event_id text NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        outcome text NOT NULL,
        status integer,
        error_message text,
        request jsonb NOT NULL,
        response jsonb,
        remote_address text,
        timings jsonb NOT NULL,
        duration_ms integer NOT NULL,
        started_at timestamptz NOT NULL,
        completed_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX delivery_webhook_started_idx ON delivery (webhook_id, started_at DESC, attempt_id DESC)',
    );
    await runner.query(
      'CREATE INDEX delivery_started_idx ON delivery (started_at)',
    );
    await runner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        exchange text NOT NULL,
        routing_key text NOT NULL,
        message_id text NOT NULL,
        payload json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE outbox');
    await runner.query('DROP TABLE delivery');
    await runner.query('DROP TABLE webhook');
    await runner.query('DROP TABLE subscription');
    await runner.query('DROP TABLE organization');
  }
}
