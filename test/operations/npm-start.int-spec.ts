import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import { poll, serviceEnvironment } from './support/service-harness';

const ROOT = path.resolve(__dirname, '../..');

/** Default HTTP ports of the services that `npm start` runs. */
const SERVICE_PORTS = [3000, 3001, 3002];

/** Returns true when GET /health/ready on 127.0.0.1:`port` returns 200. */
async function isReady(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health/ready`, {
    signal: AbortSignal.timeout(1_000),
  }).then(
    (response) => response.ok,
    () => false,
  );
}

describe('npm start', () => {
  let environment: IsolatedEnvironment;
  let npm: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    environment = await createIsolatedEnvironment('quor_ops_npm_start');
  }, 60_000);

  afterAll(async () => {
    // The process group contains npm, tools/start.ts and the three services.
    if (npm?.pid && npm.exitCode === null && npm.signalCode === null) {
      process.kill(-npm.pid, 'SIGKILL');
    }
    await environment?.dispose();
  }, 60_000);

  it('stops every service on SIGTERM to npm', async () => {
    npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, ...serviceEnvironment(environment) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(npm, 'exit');

    await poll('three ready services', 90_000, async () => {
      const ready = await Promise.all(SERVICE_PORTS.map(isReady));

      return ready.every(Boolean) ? true : null;
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; output:\n${output}`);
    });
    npm.kill('SIGTERM');
    const [code] = (await Promise.race([
      exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('npm did not exit in 40 s')), 40_000),
      ),
    ])) as [number | null];
    const stillReady = await Promise.all(SERVICE_PORTS.map(isReady));

    expect(code).toBe(0);
    expect(stillReady).toEqual([false, false, false]);
    expect(output).toContain('webhook-delivery stopped');
  }, 180_000);
});
