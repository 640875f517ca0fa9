import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** A database and a RabbitMQ virtual host that belong to one test suite. */
export interface IsolatedEnvironment {
  databaseUrl: string;
  amqpUrl: string;
  /** Drops the database and deletes the virtual host. */
  dispose(): Promise<void>;
}

let sequence = 0;

/**
 * Creates a database and a RabbitMQ virtual host named
 * `<label>_<pid>_<n>` on the servers of DATABASE_URL and AMQP_URL, so the
 * services under test consume no queue that another suite or `npm start`
 * uses. `label` must be a lowercase SQL identifier. Leftovers of killed
 * runs with the same label are removed first. Virtual hosts are managed
 * with `rabbitmqctl`, which must run on the broker's host with the rights
 * to do so (root on the test machines).
 */
export async function createIsolatedEnvironment(
  label: string,
): Promise<IsolatedEnvironment> {
  const baseDatabaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const baseAmqpUrl = process.env.AMQP_URL || DEFAULT_AMQP_URL;
  const prefix = `${label}_`;
  sequence += 1;
  const name = `${prefix}${process.pid}_${sequence}`;

  await removeLeftovers(baseDatabaseUrl, prefix);

  await withAdmin(baseDatabaseUrl, (admin) =>
    admin.query(`CREATE DATABASE ${name}`),
  );
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl(
    'set_permissions',
    '-p',
    name,
    decodeURIComponent(new URL(baseAmqpUrl).username) || 'guest',
    '.*',
    '.*',
    '.*',
  );

  const databaseUrl = new URL(baseDatabaseUrl);
  databaseUrl.pathname = `/${name}`;
  const amqpUrl = new URL(baseAmqpUrl);
  amqpUrl.pathname = `/${encodeURIComponent(name)}`;

  return {
    databaseUrl: databaseUrl.toString(),
    amqpUrl: amqpUrl.toString(),
    dispose: async () => {
      await dropDatabase(baseDatabaseUrl, name);
      await rabbitmqctl('delete_vhost', name).catch(() => undefined);
    },
  };
}

/** Removes databases and virtual hosts of `prefix` whose process is gone. */
async function removeLeftovers(
  baseDatabaseUrl: string,
  prefix: string,
): Promise<void> {
  const databases = await withAdmin(baseDatabaseUrl, async (admin) => {
    const result = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );

    return result.rows.map((row) => row.datname);
  });
  for (const name of databases.filter((name) => isAbandoned(name, prefix))) {
    await dropDatabase(baseDatabaseUrl, name);
  }

  const { stdout } = await rabbitmqctl('list_vhosts', '--silent', 'name');
  const vhosts = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(prefix));
  for (const name of vhosts.filter((name) => isAbandoned(name, prefix))) {
    await rabbitmqctl('delete_vhost', name).catch(() => undefined);
  }
}

/** True when the process that created `name` no longer runs. */
function isAbandoned(name: string, prefix: string): boolean {
  const pid = Number(name.slice(prefix.length).split('_')[0]);
  if (!Number.isInteger(pid) || pid === process.pid) {
    return false;
  }
  try {
    process.kill(pid, 0);

    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function dropDatabase(baseDatabaseUrl: string, name: string) {
  await withAdmin(baseDatabaseUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  );
}

async function withAdmin<T>(
  databaseUrl: string,
  work: (admin: Client) => Promise<T>,
): Promise<T> {
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

async function rabbitmqctl(...args: string[]) {
  try {
    return await run('rabbitmqctl', args, { timeout: 30_000 });
  } catch (error) {
    throw new Error(
      `rabbitmqctl ${args.join(' ')} failed (${(error as Error).message}); ` +
        'isolated test suites create a RabbitMQ virtual host each, so run ' +
        'them on the broker host as a user that may run rabbitmqctl',
    );
  }
}
