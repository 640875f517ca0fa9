import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';

export const ROOT = path.resolve(__dirname, '..');

export const SERVICES = [
  'webhook-config',
  'webhook-matcher',
  'webhook-delivery',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  /** Lines the service wrote, kept for error reports. */
  output: string[];
}

/**
 * Builds a service's environment: this process's variables, without
 * HTTP_PORT, overridden by `env`. An HTTP_PORT set in the shell would give
 * all three services one port, so each keeps its default (3000, 3001,
 * 3002) unless `env` names one.
 */
export function serviceEnvironment(
  inherited: NodeJS.ProcessEnv,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const merged = { ...inherited };
  delete merged.HTTP_PORT;

  return { ...merged, ...env };
}

/**
 * Starts one service from its TypeScript sources with the Node.js that runs
 * this script. `onLine` receives each line the service logs.
 */
export function startServiceProcess(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void = () => undefined,
): ServiceProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(ROOT, 'tools/register.cjs'),
      path.join(ROOT, `apps/${name}/src/main.ts`),
    ],
    {
      cwd: ROOT,
      env: serviceEnvironment(process.env, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) {
        output.push(line);
        if (output.length > 500) {
          output.shift();
        }
        onLine(line);
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  return { name, child, output };
}

/** Sends SIGTERM and waits up to `timeoutMs` before SIGKILL. */
export async function stopServiceProcess(
  service: ServiceProcess,
  timeoutMs = 20_000,
) {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it returns 200, the process exits, or time runs out. */
export async function waitUntilReady(
  service: ServiceProcess,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited with code ${service.child.exitCode}:\n${service.output.slice(-20).join('\n')}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${service.name} was not ready at ${url} within ${timeoutMs} ms:\n${service.output.slice(-20).join('\n')}`,
  );
}
