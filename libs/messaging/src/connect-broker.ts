import { connect, type ChannelModel } from 'amqplib';

/** Returns `url` with its password replaced by `***`, for messages. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }

    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Opens a connection to the broker at `url`. amqplib reports a missing
 * virtual host as "Expected ConnectionOpenOk; got <ConnectionClose
 * channel:0>", so a failure is raised again with the address, without the
 * password, and what to check.
 */
export async function connectToBroker(
  url: string,
  connectionName: string,
): Promise<ChannelModel> {
  try {
    return await connect(url, {
      clientProperties: { connection_name: connectionName },
    });
  } catch (error) {
    throw new Error(
      `cannot connect to the broker at ${withoutPassword(url)}: ${(error as Error).message}; ` +
        'check AMQP_URL: host, port, user, password and virtual host, which must exist',
      { cause: error },
    );
  }
}
