import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes `processed_event` by completion time, which the hourly deletion
 * of events past the retention period filters on.
 */
export class IndexCompletedEvents1796346000000 implements MigrationInterface {
  name = 'IndexCompletedEvents1796346000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX processed_event_completed_at ON processed_event (completed_at)
       WHERE completed_at IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX processed_event_completed_at');
  }
}
