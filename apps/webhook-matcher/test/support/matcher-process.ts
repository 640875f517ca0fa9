import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

/** Repository root, where `tools/register.cjs` loads TypeScript sources. */
const ROOT = path.resolve(__dirname, '../../../..');

/** A webhook-matcher entry point running as a child process. */
export class MatcherProcess {
  /** Lines the process wrote, the last 500 kept for error reports. */
  readonly output: string[] = [];

  private constructor(readonly child: ChildProcess) {
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) {
          this.output.push(line);
          if (this.output.length > 500) {
            this.output.shift();
          }
        }
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /**
   * Starts `apps/webhook-matcher/src/<entry>` with the Node.js that runs
   * this process; `env` is added to this process's environment.
   */
  static start(env: Record<string, string>, entry = 'main.ts'): MatcherProcess {
    return MatcherProcess.spawn(env, [
      '-r',
      path.join(ROOT, 'tools/register.cjs'),
      path.join(ROOT, 'apps/webhook-matcher/src', entry),
    ]);
  }

  /** Starts a compiled main.js, as the container image runs it. */
  static startCompiled(
    env: Record<string, string>,
    compiledMain: string,
  ): MatcherProcess {
    return MatcherProcess.spawn(env, [compiledMain]);
  }

  private static spawn(
    env: Record<string, string>,
    args: string[],
  ): MatcherProcess {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    return new MatcherProcess(child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the exit code, or rejects after `timeoutMs`. */
  async exitCode(timeoutMs = 60_000): Promise<number | null> {
    if (!this.hasExited()) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await once(this.child, 'exit');
      clearTimeout(timer);
    }

    return this.child.exitCode;
  }

  /** Polls `url` until it returns status 200; throws if the process exits first. */
  async waitUntilReady(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.hasExited()) {
        throw new Error(
          `webhook-matcher exited with code ${this.child.exitCode}:\n` +
            this.output.slice(-20).join('\n'),
        );
      }
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `webhook-matcher was not ready at ${url} in ${timeoutMs} ms`,
    );
  }

  /** Sends SIGTERM and waits for the exit, with SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.hasExited()) {
      this.child.kill('SIGTERM');
    }

    return this.exitCode(timeoutMs);
  }

  /** Sends SIGKILL and waits for the exit. */
  async kill(): Promise<void> {
    if (!this.hasExited()) {
      this.child.kill('SIGKILL');
    }
    await this.exitCode();
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();

  if (address === null || typeof address === 'string') {
    throw new Error('could not read the port of a probe server');
  }

  return address.port;
}
