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
 * stalled (no attempt finished for `maxWaitMs`, and its one probe attempt
 * is in flight).
 */
export type SlotDecision = 'acquired' | 'busy' | 'stalled';

/**
 * Origins with state above which the stalled ones without attempts in
 * flight are forgotten. Only origins with attempts in flight, at most
 * DELIVERY_CONCURRENCY of them, and stalled ones have state.
 */
const MAX_TRACKED_ORIGINS = 1_000;

/**
 * Attempts in flight that a stalled origin gets: one probe at a time, whose
 * response ends the stall, so a hanging endpoint ties up one slot per worker
 * once its first attempts have timed out.
 */
const STALLED_LIMIT = 1;

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
    const stalled = this.hasMadeNoProgress(state);
    if (state.inFlight < (stalled ? STALLED_LIMIT : this.limit)) {
      state.inFlight += 1;
      return Promise.resolve('acquired');
    }

    if (stalled) {
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

  /**
   * Frees a slot of `origin`, handing it to the longest-waiting job.
   * `finished` is false for an attempt that timed out: it frees the slot
   * but is no progress, so a hanging origin stays stalled across its
   * timeouts. A stalled origin's state is kept after its last attempt for
   * the same reason, until it is pruned.
   */
  release(origin: string, finished = true): void {
    const state = this.origins.get(origin);
    if (!state) {
      return;
    }

    if (finished) {
      state.lastProgressAt = Date.now();
    }
    const next = state.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve('acquired');
      return;
    }

    state.inFlight -= 1;
    if (state.inFlight === 0 && !this.hasMadeNoProgress(state)) {
      this.origins.delete(origin);
    }
  }

  /**
   * Tells whether `origin` finished no attempt for `maxWaitMs` and has its
   * probe in flight, so that `acquire` would report 'stalled' at once.
   */
  isStalled(origin: string): boolean {
    const state = this.origins.get(origin);

    return (
      state !== undefined &&
      state.inFlight >= STALLED_LIMIT &&
      this.hasMadeNoProgress(state)
    );
  }

  /** Number of origins with state, for tests of the pruning. */
  get trackedOrigins(): number {
    return this.origins.size;
  }

  private hasMadeNoProgress(state: OriginState): boolean {
    return Date.now() - state.lastProgressAt >= this.options.maxWaitMs;
  }

  private stateOf(origin: string): OriginState {
    let state = this.origins.get(origin);
    if (!state) {
      if (this.origins.size >= MAX_TRACKED_ORIGINS) {
        this.pruneIdleOrigins();
      }
      state = { inFlight: 0, waiters: [], lastProgressAt: Date.now() };
      this.origins.set(origin, state);
    }

    return state;
  }

  /** Forgets the stalled origins that have no attempt in flight. */
  private pruneIdleOrigins(): void {
    for (const [origin, state] of this.origins) {
      if (state.inFlight === 0) {
        this.origins.delete(origin);
      }
    }
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
