export interface DestinationLimiterOptions {
  /** Jobs that may wait in the worker for a slot of one origin. */
  maxWaiting: number;
  /**
   * Maximum time a job waits in the worker for a slot, in milliseconds. A
   * job waits only while its origin finished an attempt within this time
   * and the origin's recent attempt durations promise a slot within it.
   */
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
 * Defaults: a busy origin ties up at most 64 waiting jobs of a worker
 * (the worker's prefetch bounds them too), each for at most one second. An
 * origin is stalled after 5 s without a finished attempt, the response
 * timeout of @quor/egress.
 */
export const DEFAULT_LIMITER_OPTIONS: DestinationLimiterOptions = {
  maxWaiting: 64,
  maxWaitMs: 1_000,
  stallAfterMs: 5_000,
  maxProbes: 16,
};

/** Outcome of an attempt that held a slot, for `release`. */
export interface ReleasedAttempt {
  /**
   * False for an attempt that timed out: it frees the slot but is no
   * progress, so a hanging origin stays stalled across its timeouts.
   */
  finished: boolean;
  /** Time from sending the request to its outcome, in milliseconds. */
  durationMs: number;
}

/**
 * Weight of the newest attempt in an origin's mean attempt duration, an
 * exponentially weighted mean that follows an origin that slows down
 * within a few attempts.
 */
const DURATION_WEIGHT = 0.25;

/**
 * A job waits for a slot at most this many times its expected wait, and
 * an origin whose attempts take `mean` ms may wait this many times `mean`
 * without a finished attempt before jobs stop waiting for it. So when a
 * fast origin starts to hang, its waiting jobs give up within
 * MIN_PATIENCE_MS rather than holding the worker's prefetch for a second.
 */
const PATIENCE_FACTOR = 4;
const MIN_PATIENCE_MS = 250;

/** Returns PATIENCE_FACTOR times `ms`, at least MIN_PATIENCE_MS and at most `maxMs`. */
function boundedPatience(ms: number, maxMs: number): number {
  return Math.min(maxMs, Math.max(MIN_PATIENCE_MS, PATIENCE_FACTOR * ms));
}

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
  /** Weighted mean duration of released attempts; NaN before the first. */
  meanDurationMs: number;
}

/**
 * Limits attempts in flight per destination origin, so that slow or
 * hanging endpoints cannot occupy the whole worker. A job for an origin
 * whose `limit` slots are all taken waits in the worker for a slot when
 * one is due soon. That is, the origin finished an attempt within
 * `maxWaitMs`, and the jobs ahead take less than `maxWaitMs` at the
 * origin's mean attempt duration. For an origin without a finished attempt
 * in this worker, one round of `limit` jobs may wait. A burst to a fast
 * origin thus waits moments in the
 * worker instead of seconds in the deferral queue, while a job for a slow
 * origin takes no prefetch slot. A job that may not wait, or that waited
 * `maxWaitMs`, is 'busy', and the caller defers it briefly.
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
  /**
   * Mean attempt durations of origins whose state was dropped when they
   * went idle, so a burst that returns from the deferral queue may wait at
   * once. At most MAX_TRACKED_ORIGINS, the oldest dropped first.
   */
  private readonly idleDurations = new Map<string, number>();

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
    const patienceMs = this.patienceMs(state);
    if (patienceMs === 0) {
      return Promise.resolve('busy');
    }

    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          state.waiters.splice(state.waiters.indexOf(waiter), 1);
          resolve(this.hasMadeNoProgress(state) ? 'stalled' : 'busy');
        }, patienceMs),
      };
      state.waiters.push(waiter);
    });
  }

  /**
   * Frees the slot that `acquire` gave for `origin`, handing it to the
   * longest-waiting job. `decision` is what `acquire` resolved with. A
   * stalled origin's state is kept after its last attempt, so that it
   * stays stalled, until it is pruned.
   */
  release(
    origin: string,
    decision: SlotDecision,
    attempt: ReleasedAttempt,
  ): void {
    if (decision === 'probe') {
      this.probes -= 1;
    }
    const state = this.origins.get(origin);
    if (!state) {
      return;
    }

    if (attempt.finished) {
      state.lastProgressAt = performance.now();
    }
    state.meanDurationMs = Number.isNaN(state.meanDurationMs)
      ? attempt.durationMs
      : state.meanDurationMs +
        DURATION_WEIGHT * (attempt.durationMs - state.meanDurationMs);

    const next = state.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve('acquired');
      return;
    }

    state.inFlight -= 1;
    if (state.inFlight === 0 && !this.hasMadeNoProgress(state)) {
      this.origins.delete(origin);
      this.rememberDuration(origin, state.meanDurationMs);
    }
  }

  /**
   * Returns the reason `acquire` would give at once to defer a job for
   * `origin`, 'busy' or 'stalled', or undefined when it would take or wait
   * for a slot. Takes nothing.
   */
  deferralReason(origin: string): 'busy' | 'stalled' | undefined {
    const state = this.origins.get(origin);
    if (state === undefined) {
      return undefined;
    }
    if (this.hasMadeNoProgress(state)) {
      return this.mayProbe(state) ? undefined : 'stalled';
    }

    return state.inFlight >= this.limit && this.patienceMs(state) === 0
      ? 'busy'
      : undefined;
  }

  /** Number of origins with state, for tests of the pruning. */
  get trackedOrigins(): number {
    return this.origins.size;
  }

  /**
   * Returns how long one more job may wait for a slot of `state`'s origin,
   * whose slots are all taken, or 0 when it may not wait.
   */
  private patienceMs(state: OriginState): number {
    const ahead = state.waiters.length;
    const { maxWaiting, maxWaitMs } = this.options;
    const sinceProgressMs = performance.now() - state.lastProgressAt;
    if (ahead >= maxWaiting) {
      return 0;
    }
    if (Number.isNaN(state.meanDurationMs)) {
      // NOTE: so in a burst to an origin this worker has not seen finish,
      // jobs beyond 2 x `limit` that arrive before the first attempt
      // finishes take the 2 s deferral.
      return ahead < this.limit && sinceProgressMs < maxWaitMs ? maxWaitMs : 0;
    }

    const mean = state.meanDurationMs;
    if (sinceProgressMs >= boundedPatience(mean, maxWaitMs)) {
      return 0;
    }
    const expectedWaitMs = (Math.floor(ahead / this.limit) + 1) * mean;

    return expectedWaitMs < maxWaitMs
      ? boundedPatience(expectedWaitMs, maxWaitMs)
      : 0;
  }

  private mayProbe(state: OriginState): boolean {
    return state.inFlight === 0 && this.probes < this.options.maxProbes;
  }

  private hasMadeNoProgress(state: OriginState): boolean {
    return (
      performance.now() - state.lastProgressAt >= this.options.stallAfterMs
    );
  }

  private stateOf(origin: string): OriginState {
    let state = this.origins.get(origin);
    if (!state) {
      if (this.origins.size >= MAX_TRACKED_ORIGINS) {
        this.pruneIdleOrigins();
      }
      state = {
        inFlight: 0,
        waiters: [],
        lastProgressAt: performance.now(),
        meanDurationMs: this.idleDurations.get(origin) ?? Number.NaN,
      };
      this.idleDurations.delete(origin);
      this.origins.set(origin, state);
    }

    return state;
  }

  private rememberDuration(origin: string, meanDurationMs: number): void {
    this.idleDurations.delete(origin);
    if (Number.isNaN(meanDurationMs)) {
      return;
    }
    if (this.idleDurations.size >= MAX_TRACKED_ORIGINS) {
      this.idleDurations.delete(
        this.idleDurations.keys().next().value as string,
      );
    }
    this.idleDurations.set(origin, meanDurationMs);
  }

  /** Forgets the stalled origins that have no attempt in flight. */
  private pruneIdleOrigins(): void {
    for (const [origin, state] of this.origins) {
      if (state.inFlight === 0) {
        this.origins.delete(origin);
        this.rememberDuration(origin, state.meanDurationMs);
      }
    }
  }
}

/**
 * Key of an origin whose URL does not parse. Such attempts fail before any
 * connection, so they share one key, and a long invalid URL is not kept.
 */
export const INVALID_URL_ORIGIN = 'invalid-url';

/** Origin of `url` for limiting, or INVALID_URL_ORIGIN when it is not a URL. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return INVALID_URL_ORIGIN;
  }
}
