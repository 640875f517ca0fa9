import { connect } from 'amqplib';
import { readFileSync } from 'node:fs';
import { localEnv } from './local-env';

const USAGE =
  'usage: npm run publish-event -- <routing-key> <json-body | @file.json>\n' +
  'publishes one persistent message on the quor.events exchange, as the platform does';

/** Publishes one message on quor.events and waits for the broker's confirm. */
async function main(): Promise<void> {
  const [routingKey, source] = process.argv.slice(2);
  if (!routingKey || !source) {
    console.error(USAGE);
    process.exit(2);
  }
  const text = source.startsWith('@')
    ? readFileSync(source.slice(1), 'utf8')
    : source;
  try {
    JSON.parse(text);
  } catch (error) {
    console.error(
      `body is not valid JSON (${(error as Error).message})\n${USAGE}`,
    );
    process.exit(2);
  }

  const connection = await connect(localEnv().AMQP_URL);
  const channel = await connection.createConfirmChannel();
  channel.publish('quor.events', routingKey, Buffer.from(text), {
    persistent: true,
    contentType: 'application/json',
  });
  await channel.waitForConfirms();
  await connection.close();
  console.log(`published ${routingKey} on quor.events`);
}

main().catch((error) => {
  console.error(`publishing failed: ${(error as Error).message}`);
  process.exit(1);
});
