export interface DestinationLimiterOptions {
  /** Jobs that may wait in the worker for a slot of one origin. */
  maxWaiting: number;
  /** Maximum time a job waits in the worker for a slot, in milliseconds. */
  maxWaitMs: number;
  /**
   * Time without a finished attempt, in milliseconds, after which an
   * origin with attempts in flight or timed out counts as stalled. It
   * equals the response timeout, so an endpoint that responds slowly but
   * within it is never stalled.
   */
  stallAfterMs: number;
  /**
   * Attempts in flight to stalled origins, over all origins of a worker:
   * one probe per stalled origin at a time, up to this many, so that many
   * hanging endpoints cannot take all of a worker's slots.
   */
  maxProbes: number;
}

/**
 * Defaults: besides its `limit` attempts in flight, a busy origin ties up
 * at most 16 waiting jobs of a worker, each for at most one second. An
 * origin is stalled after 5 s without a finished attempt, the response
 * timeout of @quor/egress.
 * NOTE: a burst to one healthy origin of more than `limit` + 16 jobs in a
 * worker's prefetch still sends the excess through the 2 s deferral, which
 * bounds that origin's throughput (phase b1 of bench/delivery-throughput).
 */
export const DEFAULT_LIMITER_OPTIONS: DestinationLimiterOptions = {
  maxWaiting: 16,
  maxWaitMs: 1_000,
  stallAfterMs: 5_000,
  maxProbes: 16,
};

/**
 * Decision of `acquire`. A slot was taken: 'acquired', or 'probe' for the
 * one attempt a stalled origin gets. Or the job is to be deferred, because
 * the origin is busy (all slots taken, attempts still finishing) or stalled
 * (no attempt finished for `stallAfterMs`).
 */
export type SlotDecision = 'acquired' | 'probe' | 'busy' | 'stalled';

/**
 * Origins with state above which the stalled ones without attempts in
 * flight are forgotten. Only origins with attempts in flight, at most
 * DELIVERY_CONCURRENCY of them, and stalled ones have state.
 */
const MAX_TRACKED_ORIGINS = 1_000;

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
 * Limits attempts in flight per destination origin, so that slow or
 * hanging endpoints cannot occupy the whole worker. A job for an origin
 * whose `limit` slots are all taken waits in the worker for a slot, for at
 * most `maxWaitMs` and with at most `maxWaiting` others. A slot usually
 * frees within moments, whereas a deferral through the broker delays the
 * job by seconds. Otherwise the job is 'busy', and the caller defers it
 * briefly.
 *
 * An origin whose attempts finished none for `stallAfterMs` is stalled: a
 * timed-out attempt frees its slot but is no progress. A stalled origin
 * gets one probe attempt at a time while fewer than `maxProbes` probes run
 * in the worker, and every other job is 'stalled', which the caller defers
 * for longer. The first finished attempt ends the stall.
 */
export class DestinationLimiter {
  private readonly origins = new Map<string, OriginState>();
  private readonly options: DestinationLimiterOptions;
  private probes = 0;

  constructor(
    private readonly limit: number,
    options: Partial<DestinationLimiterOptions> = {},
  ) {
    this.options = { ...DEFAULT_LIMITER_OPTIONS, ...options };
  }

  /**
   * Takes a slot for `origin`. Resolves with 'acquired' or 'probe' once
   * the slot is taken, or with the reason to defer the job.
   */
  acquire(origin: string): Promise<SlotDecision> {
    const state = this.stateOf(origin);
    if (this.hasMadeNoProgress(state)) {
      if (!this.mayProbe(state)) {
        return Promise.resolve('stalled');
      }
      state.inFlight += 1;
      this.probes += 1;
      return Promise.resolve('probe');
    }

    if (state.inFlight < this.limit) {
      state.inFlight += 1;
      return Promise.resolve('acquired');
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
   * Frees the slot that `acquire` gave for `origin`, handing it to the
   * longest-waiting job. `decision` is what `acquire` resolved with.
   * `finished` is false for an attempt that timed out: it frees the slot
   * but is no progress, so a hanging origin stays stalled across its
   * timeouts. A stalled origin's state is kept after its last attempt for
   * the same reason, until it is pruned.
   */
  release(
    origin: string,
    finished = true,
    decision: SlotDecision = 'acquired',
  ): void {
    if (decision === 'probe') {
      this.probes -= 1;
    }
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
   * Tells whether `acquire` would report 'stalled' for `origin` at once,
   * without taking anything.
   */
  isStalled(origin: string): boolean {
    const state = this.origins.get(origin);

    return (
      state !== undefined &&
      this.hasMadeNoProgress(state) &&
      !this.mayProbe(state)
    );
  }

  /** Number of origins with state, for tests of the pruning. */
  get trackedOrigins(): number {
    return this.origins.size;
  }

  private mayProbe(state: OriginState): boolean {
    return state.inFlight === 0 && this.probes < this.options.maxProbes;
  }

  private hasMadeNoProgress(state: OriginState): boolean {
    return Date.now() - state.lastProgressAt >= this.options.stallAfterMs;
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
