import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts the test requests (test connection and ping) each organization
 * sends per minute, so that every replica of webhook-config enforces one
 * shared limit.
 */
export class CreateOutboundTestQuota1796349600000 implements MigrationInterface {
  name = 'CreateOutboundTestQuota1796349600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbound_test_quota (
        organization_id text NOT NULL,
        window_start timestamptz NOT NULL,
        used integer NOT NULL,
        PRIMARY KEY (organization_id, window_start)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE outbound_test_quota');
  }
}
