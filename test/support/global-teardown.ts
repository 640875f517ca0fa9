import { Client } from 'pg';
import { purgeWebhookQueues } from '../../tools/purge-queues';

/**
 * Drops the run's database and empties the webhook queues, so that jobs the
 * tests published for made-up endpoints never reach a delivery worker
 * started later against the same broker.
 */
export default async function globalTeardown(): Promise<void> {
  await purgeWebhookQueues(
    process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  );

  const serverUrl = process.env.QUOR_TEST_SERVER_URL;
  const database = process.env.QUOR_TEST_DATABASE;
  if (serverUrl && database) {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}
