import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type {
  ReceiverCounts,
  ReceiverLayout,
  ReceiverPorts,
} from './receiver-process';

const ROOT = path.resolve(__dirname, '../..');

export interface ReceiverProcess {
  ports: ReceiverPorts;
  pid: number;
  counts(): Promise<ReceiverCounts>;
  stop(): void;
}

function nextMessage<T>(
  child: ChildProcess,
  type: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(
        new Error(`receiver process sent no ${type} within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(`receiver process failed: ${message.message}`));
      } else if (message.type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve((message as Record<string, unknown>)[type] as T);
      }
    };
    child.on('message', onMessage);
  });
}

/** Forks `receiver-process.ts` and starts the receivers of `layout`. */
export async function startReceiverProcess(
  layout: ReceiverLayout,
): Promise<ReceiverProcess> {
  const child = fork(path.join(__dirname, 'receiver-process.ts'), [], {
    cwd: ROOT,
    execArgv: ['-r', path.join(ROOT, 'tools/register.cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = nextMessage<ReceiverPorts>(child, 'ports', 30_000);
  child.send({ type: 'start', layout });

  return {
    ports: await ports,
    pid: child.pid ?? 0,
    counts: () => {
      const counts = nextMessage<ReceiverCounts>(child, 'counts', 5_000);
      child.send({ type: 'counts' });
      return counts;
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    },
  };
}
