import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface BenchWorker {
  child: ChildProcess;
  /** HTTP port of the worker's health and metrics endpoints. */
  port: number;
  /** File that receives the worker's stdout and stderr. */
  logFile: string;
  /** Returns VmRSS and VmHWM (peak resident set) in bytes from /proc. */
  memory(): { rssBytes: number; peakRssBytes: number };
  /** Returns user plus system CPU seconds the process has used. */
  cpuSeconds(): number;
  /** Sends SIGTERM and, after `timeoutMs`, SIGKILL. */
  stop(timeoutMs?: number): Promise<void>;
}

async function freePort(): Promise<number> {
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

function readStatusKilobytes(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) {
    throw new Error(`/proc/${pid}/status has no ${field} line`);
  }

  return Number(match[1]) * 1024;
}

/** Clock ticks per second of the times in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = Number(
  execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
);

/** Returns user plus system CPU seconds that process `pid` has used. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may
  // contain spaces. utime and stime are fields 14 and 15 of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);

  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * Starts the compiled worker `mainFile` with `env` and `nodeOptions` and
 * waits until /health/ready returns 200, for at most `timeoutMs`.
 */
export async function startBenchWorker(options: {
  mainFile: string;
  env: Record<string, string>;
  nodeOptions?: string[];
  logFile: string;
  timeoutMs?: number;
}): Promise<BenchWorker> {
  const { env, logFile } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = await freePort();
  const log = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [...(options.nodeOptions ?? []), options.mainFile],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HTTP_PORT: String(port), ...env },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const exited = once(child, 'exit');

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `webhook-delivery exited during start-up; see ${logFile}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `webhook-delivery was not ready within ${timeoutMs} ms; see ${logFile}`,
      );
    }
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, {
      signal: AbortSignal.timeout(1_000),
    }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const pid = child.pid ?? 0;

  return {
    child,
    port,
    logFile,
    memory: () => ({
      rssBytes: readStatusKilobytes(pid, 'VmRSS'),
      peakRssBytes: readStatusKilobytes(pid, 'VmHWM'),
    }),
    cpuSeconds: () => readCpuSeconds(pid),
    stop: async (stopTimeoutMs = 20_000) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
