import { Client } from 'pg';
import { connect } from 'amqplib';
import { purgeWebhookQueues } from '../../tools/purge-queues';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Database that one test run owns: created empty at the start and dropped
 * by the teardown, named after the process so concurrent runs on one
 * server do not share it.
 */
export const TEST_DATABASE = `quor_webhooks_test_${process.pid}`;

/**
 * Checks that PostgreSQL and RabbitMQ accept connections, then gives the tests a fresh
 * database of their own on the same server, so a run never touches the
 * data of `npm start`, and empties the webhook queues of the broker. Tests in this process read the URLs from the
 * environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const amqpUrl = process.env.AMQP_URL || DEFAULT_AMQP_URL;

  const admin = new Client({ connectionString: baseUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at DATABASE_URL=${baseUrl} is not reachable (${(error as Error).message}); ` +
        'start it or point DATABASE_URL at a running server',
    );
  }
  await admin.query(`DROP DATABASE IF EXISTS ${TEST_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEST_DATABASE}`);
  await admin.end();

  try {
    const connection = await connect(amqpUrl);
    await connection.close();
    await purgeWebhookQueues(amqpUrl);
  } catch (error) {
    throw new Error(
      `RabbitMQ at AMQP_URL=${amqpUrl} is not reachable (${(error as Error).message}); ` +
        'start it or point AMQP_URL at a running broker',
    );
  }

  const testUrl = new URL(baseUrl);
  testUrl.pathname = `/${TEST_DATABASE}`;
  process.env.QUOR_TEST_SERVER_URL = baseUrl;
  process.env.QUOR_TEST_DATABASE = TEST_DATABASE;
  process.env.DATABASE_URL = testUrl.toString();
  process.env.AMQP_URL = amqpUrl;
}
