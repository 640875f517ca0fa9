import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates the read model of webhook-matcher (webhooks, subscriptions and
 * plans, each row stamped with the version or time of the change it holds)
 * and the fan-out bookkeeping: one `processed_event` row per event, whose
 * `published_through` is the webhook id up to which, in webhook id order,
 * the event's jobs were published, and one `fan_out_job` row per (event,
 * matched webhook) until the event's fan-out completes. The delivery id of
 * a job is not stored because it is the name-based UUID of its event id
 * and webhook id.
 */
export class CreateMatcherSchema1764892800000 implements MigrationInterface {
  name = 'CreateMatcherSchema1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY,
        organization_id text NOT NULL,
        url text NOT NULL,
        secrets text[] NOT NULL,
        event_types text[] NOT NULL,
        all_images boolean NOT NULL,
        enabled boolean NOT NULL,
        deleted boolean NOT NULL,
        version bigint NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX webhook_organization_idx ON webhook (organization_id)',
    );
    await runner.query(`
      CREATE TABLE webhook_image (
        webhook_id uuid NOT NULL REFERENCES webhook (id) ON DELETE CASCADE,
        registry text NOT NULL,
        image text NOT NULL,
        PRIMARY KEY (webhook_id, registry, image)
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
      CREATE INDEX subscription_image_idx
        ON subscription (registry, image, organization_id)
        WHERE subscribed`);
    await runner.query(`
      CREATE TABLE organization_plan (
        organization_id text PRIMARY KEY,
        plan text NOT NULL,
        trial_started_at timestamptz,
        changed_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE processed_event (
        event_id text PRIMARY KEY,
        registry text NOT NULL,
        image text NOT NULL,
        job_count integer NOT NULL,
        receive_count integer NOT NULL,
        matched_at timestamptz NOT NULL,
        published_through uuid,
        completed_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE fan_out_job (
        event_id text NOT NULL,
        webhook_id uuid NOT NULL,
        PRIMARY KEY (event_id, webhook_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE fan_out_job');
    await runner.query('DROP TABLE processed_event');
    await runner.query('DROP TABLE organization_plan');
    await runner.query('DROP TABLE subscription');
    await runner.query('DROP TABLE webhook_image');
    await runner.query('DROP TABLE webhook');
  }
}
