import { INestApplication, Logger } from '@nestjs/common';

/**
 * Default bound on a graceful shutdown. The Kubernetes manifests give each
 * pod at least 30 s (terminationGracePeriodSeconds), of which webhook-config
 * spends 5 s in its preStop pause, so 25 s ends the process before the
 * kubelet sends SIGKILL.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Closes `app` on the first SIGTERM or SIGINT, which runs Nest's shutdown
 * hooks. The HTTP server and the consumers stop first, then the
 * connections close. Exits with code 0 once that finished, and with code 1
 * when it failed or took longer than `timeoutMs`. Nest's own signal handler
 * would re-raise the signal after closing, so the process would end by the
 * signal (status 143 for SIGTERM) and not with code 0.
 */
export function exitOnShutdownSignal(
  app: INestApplication,
  name: string,
  timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS,
): void {
  const logger = new Logger('Shutdown');
  let stopping = false;

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, `${name} is already stopping; signal ignored`);
      return;
    }
    stopping = true;
    const startedAt = Date.now();
    logger.log({ signal, timeout_ms: timeoutMs }, `${name} stopping`);

    // Not unref'd: a shutdown hook that never settles must end in this
    // error, not in a silent exit once the event loop happens to drain.
    setTimeout(() => {
      logger.error(
        { timeout_ms: timeoutMs },
        `${name} did not stop within ${timeoutMs} ms; exiting with code 1`,
      );
      process.exit(1);
    }, timeoutMs);

    app.close().then(
      () => {
        logger.log({ duration_ms: Date.now() - startedAt }, `${name} stopped`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, `${name} failed to stop cleanly`);
        process.exit(1);
      },
    );
  };

  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, stop);
  }
}
