/**
 * Runs `run` once at start and then every `intervalMs`, never twice at a
 * time: a tick that comes while the previous run is still going is
 * skipped. The timer does not keep the process alive. `onError` receives
 * what a run threw, so the owner logs it once.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.running;
  }

  private tick(): void {
    if (this.running) {
      return;
    }
    this.running = this.run()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = null;
      });
  }
}
