import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  ServiceName,
  ServiceProcess,
  startServiceProcess,
  waitUntilReady,
} from '../../../tools/service-process';
import { IsolatedEnvironment } from '@quor/platform/testing';
import { TEST_JWT_SECRET } from './platform-client';

/** One JSON log line of a service, as pino writes it. */
export type LogRecord = Record<string, unknown> & {
  level: number;
  msg?: string;
};

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A service started as a child process from its TypeScript sources. */
export class RunningService {
  /** Every line the service wrote to stdout and stderr. */
  readonly lines: string[] = [];
  readonly exited: Promise<ExitStatus>;
  private readonly process: ServiceProcess;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.process = startServiceProcess(
      name,
      { HTTP_PORT: String(port), ...env },
      (line) => this.lines.push(line),
    );
    const child = this.process.child;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number | undefined {
    return this.process.child.pid;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await waitUntilReady(this.process, this.url('/health/ready'), timeoutMs);
  }

  /** Log lines that parse as JSON objects. */
  records(): LogRecord[] {
    return this.lines.flatMap((line) => {
      try {
        const value = JSON.parse(line) as unknown;

        return typeof value === 'object' && value !== null
          ? [value as LogRecord]
          : [];
      } catch {
        return [];
      }
    });
  }

  /** Waits until a log record satisfies `matches`. */
  async waitForRecord(
    description: string,
    matches: (record: LogRecord) => boolean,
    timeoutMs = 30_000,
  ): Promise<LogRecord> {
    return poll(description, timeoutMs, async () => {
      return this.records().find(matches) ?? null;
    });
  }

  /** Returns the Prometheus text of GET /metrics. */
  async scrapeMetrics(): Promise<string> {
    const response = await fetch(this.url('/metrics'), {
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) {
      throw new Error(
        `GET /metrics of ${this.name} answered ${response.status}`,
      );
    }

    return response.text();
  }

  /**
   * Sends SIGTERM and waits for the exit, killing the process with SIGKILL
   * after `timeoutMs`. Returns the exit status and how long it took.
   */
  async terminate(
    timeoutMs = 60_000,
  ): Promise<ExitStatus & { durationMs: number }> {
    const child = this.process.child;
    const startedAt = Date.now();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      const status = await this.exited;

      return { ...status, durationMs: Date.now() - startedAt };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Returns the last lines of output, for failure messages. */
  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }
}

/**
 * Environment of a service under test: the database and virtual host of
 * `environment`, the tests' JWT key, LOG_LEVEL info, then `overrides`.
 */
export function serviceEnvironment(
  environment: IsolatedEnvironment,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: environment.databaseUrl,
    AMQP_URL: environment.amqpUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    EGRESS_ALLOW_LOOPBACK: 'false',
    EGRESS_EXTRA_CA_FILE: '',
    ...overrides,
  };
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') {
    throw new Error('could not read the port of a listening socket');
  }

  return address.port;
}

/** Starts `name` on a free port with `env` and waits for readiness. */
export async function launchService(
  name: ServiceName,
  env: Record<string, string>,
): Promise<RunningService> {
  const service = new RunningService(name, await freePort(), env);
  try {
    await service.waitUntilReady();
  } catch (error) {
    await service.terminate(5_000);
    throw error;
  }

  return service;
}

/** Calls `check` every 100 ms until it returns a value other than null. */
export async function poll<T>(
  description: string,
  timeoutMs: number,
  check: () => Promise<T | null>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
