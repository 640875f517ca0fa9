export interface DestinationLimiterOptions {
  /** Jobs that may wait in the worker for a slot of one origin. */
  maxWaiting: number;
  /**
   * Maximum time a job waits for a slot, in milliseconds. An origin that
   * finished no attempt for this long while all its slots were taken gets
   * no more waiting jobs until one of its attempts finishes.
   */
  maxWaitMs: number;
}

/**
 * Defaults: besides its `limit` attempts in flight, a hanging origin ties
 * up at most 16 waiting jobs of a worker, each for at most one second.
 * After that second the origin counts as stalled, and its jobs are deferred
 * at once, for longer than busy origins' jobs.
 * NOTE: a burst to one healthy origin of more than `limit` + 16 jobs in a
 * worker's prefetch still sends the excess through the 2 s deferral, which
 * bounds that origin's throughput (phase b1 of bench/delivery-throughput).
 */
export const DEFAULT_LIMITER_OPTIONS: DestinationLimiterOptions = {
  maxWaiting: 16,
  maxWaitMs: 1_000,
};

/**
 * Decision of `acquire`: a slot was taken, or the job is to be deferred
 * because the origin is busy (all slots taken, attempts still finishing) or
 * stalled (all slots taken and no attempt finished for `maxWaitMs`).
 */
export type SlotDecision = 'acquired' | 'busy' | 'stalled';

interface Waiter {
  resolve: (decision: SlotDecision) => void;
  timer: NodeJS.Timeout;
}

interface OriginState {
  inFlight: number;
  waiters: Waiter[];
  /** When an attempt last finished, or when the origin's state was created. */
  lastProgressAt: number;
}

/**
 * Limits attempts in flight per destination origin, so that one slow or
 * hanging endpoint cannot occupy the whole worker. A job for an origin
 * whose `limit` slots are all taken waits for a slot when the origin is
 * finishing attempts, because a slot then frees within moments, whereas a
 * deferral through the broker delays the job by seconds. The job is
 * turned away, and the caller defers it, when `maxWaiting` jobs already
 * wait or when no slot freed within `maxWaitMs` ('busy'), or when the
 * origin finished no attempt for `maxWaitMs` ('stalled').
 */
export class DestinationLimiter {
  private readonly origins = new Map<string, OriginState>();
  private readonly options: DestinationLimiterOptions;

  constructor(
    private readonly limit: number,
    options: Partial<DestinationLimiterOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIMITER_OPTIONS, ...options };
  }

  /**
   * Takes a slot for `origin`. Resolves with 'acquired' once the slot is
   * taken, or with the reason to defer the job.
   */
  acquire(origin: string): Promise<SlotDecision> {
    const state = this.stateOf(origin);
    if (state.inFlight < this.limit) {
      state.inFlight += 1;
      return Promise.resolve('acquired');
    }

    if (this.hasMadeNoProgress(state)) {
      return Promise.resolve('stalled');
    }
    if (state.waiters.length >= this.options.maxWaiting) {
      return Promise.resolve('busy');
    }

    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          state.waiters.splice(state.waiters.indexOf(waiter), 1);
          resolve(this.hasMadeNoProgress(state) ? 'stalled' : 'busy');
        }, this.options.maxWaitMs),
      };
      state.waiters.push(waiter);
    });
  }

  /** Frees a slot of `origin`, handing it to the longest-waiting job. */
  release(origin: string): void {
    const state = this.origins.get(origin);
    if (!state) {
      return;
    }

    state.lastProgressAt = Date.now();
    const next = state.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve('acquired');
      return;
    }

    state.inFlight -= 1;
    if (state.inFlight === 0) {
      this.origins.delete(origin);
    }
  }

  /**
   * Tells whether `origin` has all its slots taken and finished no attempt
   * for `maxWaitMs`, so that `acquire` would report 'stalled' at once.
   */
  isStalled(origin: string): boolean {
    const state = this.origins.get(origin);

    return (
      state !== undefined &&
      state.inFlight >= this.limit &&
      this.hasMadeNoProgress(state)
    );
  }

  private hasMadeNoProgress(state: OriginState): boolean {
    return Date.now() - state.lastProgressAt >= this.options.maxWaitMs;
  }

  private stateOf(origin: string): OriginState {
    let state = this.origins.get(origin);
    if (!state) {
      state = { inFlight: 0, waiters: [], lastProgressAt: Date.now() };
      this.origins.set(origin, state);
    }

    return state;
  }
}

/** Origin of `url` for limiting, or the raw string when it is not a URL. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
