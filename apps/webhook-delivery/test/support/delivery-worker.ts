import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { loadConfig } from '@quor/platform';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { DeliveryServiceConfig } from '../../src/config/delivery.config';
import { createDeliveryApplication } from '../../src/delivery-application';

const ROOT = path.resolve(__dirname, '../../../..');
const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Environment of a worker under test: the broker of AMQP_URL, LOG_LEVEL
 * error, then `overrides`. Other variables of the test process are ignored,
 * so a developer's shell cannot change the worker's limits.
 */
export function workerEnvironment(
  overrides: Record<string, string>,
): Record<string, string> {
  return {
    AMQP_URL: process.env.AMQP_URL || DEFAULT_AMQP_URL,
    LOG_LEVEL: 'error',
    ...overrides,
  };
}

/** Starts webhook-delivery in the test process with HTTP on a free port. */
export async function startWorker(
  overrides: Record<string, string>,
): Promise<INestApplication> {
  const config = loadConfig(
    DeliveryServiceConfig,
    workerEnvironment(overrides),
  );
  const app = await createDeliveryApplication(config);
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');

  return app;
}

export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  /** Lines the worker wrote to stdout and stderr. */
  output: string[];
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Returns a TCP port that was free a moment ago. */
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

/**
 * Starts `apps/webhook-delivery/src/main.ts` as a child process with the
 * Node.js running the tests and waits until /health/ready returns 200.
 */
export async function startWorkerProcess(
  overrides: Record<string, string>,
  timeoutMs = 30_000,
): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', './tools/register.cjs', 'apps/webhook-delivery/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...workerEnvironment({ HTTP_PORT: String(port), ...overrides }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(chunk.toString('utf8'));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));

  const worker = { child, port, output, exited };
  await waitUntilReady(worker, timeoutMs);

  return worker;
}

async function waitUntilReady(
  worker: WorkerProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(
        `webhook-delivery exited during start-up:\n${worker.output.join('')}`,
      );
    }
    try {
      const response = await fetch(
        `http://127.0.0.1:${worker.port}/health/ready`,
        { signal: AbortSignal.timeout(1_000) },
      );
      if (response.ok) {
        return;
      }
    } catch {
      // The HTTP server is not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  worker.child.kill('SIGKILL');
  throw new Error(
    `webhook-delivery was not ready within ${timeoutMs} ms:\n${worker.output.join('')}`,
  );
}

/** Sends SIGKILL unless the process has already exited. */
export function killWorkerProcess(worker: WorkerProcess): void {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGKILL');
  }
}
