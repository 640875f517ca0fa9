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
   * Time without a response, in milliseconds, after which an origin with
   * attempts in flight or timed out counts as stalled, unless an attempt
   * is reading a response body. It equals the response timeout, so an
   * endpoint that responds slowly but within it is never stalled.
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
 * origin is stalled after 5 s without a response and without a response
 * body being read, 5 s being the response timeout of @quor/egress.
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
  /** Whether its response headers arrived, reported by `recordResponse`. */
  responded: boolean;
}

/**
 * Weight of the newest attempt in an origin's mean attempt duration, an
 * exponentially weighted mean that follows an origin that slows down
 * within a few attempts.
 */
const DURATION_WEIGHT = 0.25;

/**
 * A job waits for a slot at most this many times its expected wait, and
 * an origin whose attempts take `mean` ms may go this many times `mean`
 * without progress before jobs stop waiting for it. So when a
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
 * Origins with state at which idle ones are forgotten: first those no job
 * asked for in FORGET_IDLE_AFTER_MS, then the least recently requested,
 * down to nine tenths.
 * Only origins with attempts in flight, at most DELIVERY_CONCURRENCY of
 * them, and stalled ones have state, so a stalled origin whose jobs keep
 * coming back stays stalled.
 */
const MAX_TRACKED_ORIGINS = 10_000;

/**
 * Time without a job after which an idle stalled origin may be forgotten.
 * It is four times the 15 s a stalled origin's jobs wait before they come
 * back, so an origin with jobs left is not forgotten for want of them.
 */
const FORGET_IDLE_AFTER_MS = 60_000;

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
  /**
   * Whether an attempt to the origin got a response in this worker. Until
   * then the origin gets one slot, so that an endpoint that never responds
   * takes one slot of the worker, not `limit`, before it counts as stalled.
   */
  responded: boolean;
  /** When a job for the origin last called `acquire`. */
  lastRequestedAt: number;
  /** Attempts in flight whose response headers arrived. */
  receiving: number;
}

/** Part of an origin's state that the limiter keeps after dropping it. */
interface IdleOrigin {
  meanDurationMs: number;
  responded: boolean;
}

/**
 * Limits attempts in flight per destination origin, so that slow or
 * hanging endpoints cannot occupy the whole worker. An origin gets one
 * slot until an attempt to it got a response in this worker, then `limit`.
 *
 * A job for an origin whose slots are all taken waits in the worker for a
 * slot when one is due soon. That is, the origin made progress within
 * `maxWaitMs`, and the jobs ahead take less than `maxWaitMs` at the
 * origin's mean attempt duration. For an origin without a known mean, one
 * round of `limit` jobs may wait. A burst to a fast origin thus waits
 * moments in the worker instead of seconds in the deferral queue, while a
 * job for a slow origin takes no prefetch slot. A job that may not wait,
 * or that waited its patience out, is 'busy', and the caller defers it
 * briefly.
 *
 * An origin is stalled when no attempt to it got a response for
 * `stallAfterMs` and none is reading a response body: a timed-out attempt
 * frees its slot but is no progress. A stalled origin gets one probe
 * attempt at a time while fewer than `maxProbes` probes run in the worker,
 * and every other job is 'stalled', which the caller defers for longer.
 * The first response, or an attempt that fails fast, ends the stall.
 */
export class DestinationLimiter {
  private readonly origins = new Map<string, OriginState>();
  private readonly options: DestinationLimiterOptions;
  private probes = 0;
  /**
   * Mean attempt durations of origins whose state was dropped, so a burst
   * that returns from the deferral queue may wait at once. At most
   * MAX_TRACKED_ORIGINS, the oldest dropped first.
   */
  private readonly idleOrigins = new Map<string, IdleOrigin>();

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
    this.recordRequest(origin, state);
    if (this.hasMadeNoProgress(state)) {
      if (!this.mayProbe(state)) {
        return Promise.resolve('stalled');
      }
      state.inFlight += 1;
      this.probes += 1;
      return Promise.resolve('probe');
    }

    if (state.inFlight < this.slotsOf(state)) {
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
   * Frees the slot that `acquire` gave for `origin` and hands free slots
   * to the longest-waiting jobs. `decision` is what `acquire` resolved
   * with. A stalled origin's state is kept after its last attempt, so that
   * it stays stalled, until it is pruned.
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

    state.inFlight -= 1;
    if (attempt.responded && state.receiving > 0) {
      state.receiving -= 1;
    }
    const now = performance.now();
    if (attempt.finished) {
      this.markResponded(state);
    } else if (state.lastProgressAt <= now - attempt.durationMs) {
      // The attempt got no response for the response timeout, so the
      // origin made none for that long, even if the timer fired a fraction
      // of a millisecond before `stallAfterMs` by this clock.
      state.lastProgressAt = Math.min(
        state.lastProgressAt,
        now - this.options.stallAfterMs,
      );
    }
    state.meanDurationMs = Number.isNaN(state.meanDurationMs)
      ? attempt.durationMs
      : state.meanDurationMs +
        DURATION_WEIGHT * (attempt.durationMs - state.meanDurationMs);
    this.wakeWaiters(state);

    if (
      state.inFlight === 0 &&
      state.waiters.length === 0 &&
      !this.hasMadeNoProgress(state)
    ) {
      this.forget(origin, state);
    }
  }

  /**
   * Records that response headers of an attempt to `origin` arrived. An
   * origin is not stalled while such an attempt reads its body, so an
   * endpoint that responds at once and sends its body slowly is never
   * stalled. The attempt's `release` must then set `responded`.
   */
  recordResponse(origin: string): void {
    const state = this.origins.get(origin);
    if (state) {
      state.receiving += 1;
      this.markResponded(state);
      this.wakeWaiters(state);
    }
  }

  /**
   * Returns the reason `acquire` would give at once to defer a job for
   * `origin`, 'busy' or 'stalled', or undefined when it would take or wait
   * for a slot. Takes no slot, but counts as a request for the origin, so
   * a stalled origin whose jobs keep coming back is not forgotten.
   */
  deferralReason(origin: string): 'busy' | 'stalled' | undefined {
    const state = this.origins.get(origin);
    if (state === undefined) {
      return undefined;
    }
    this.recordRequest(origin, state);
    if (this.hasMadeNoProgress(state)) {
      return this.mayProbe(state) ? undefined : 'stalled';
    }

    return state.inFlight >= this.slotsOf(state) && this.patienceMs(state) === 0
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
      // NOTE: so in a burst to an origin this worker has not seen respond,
      // jobs beyond `limit` + 1 that arrive before the first response take
      // the 2 s deferral.
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

  /**
   * Returns how many attempts `state`'s origin may have in flight.
   * NOTE: jobs to more distinct hanging origins than the worker has slots,
   * all new to it, can still take every slot for the 5 s response timeout.
   */
  private slotsOf(state: OriginState): number {
    return state.responded ? this.limit : 1;
  }

  /**
   * Notes a job for `origin` and moves it to the end of the map, so that
   * pruning meets the least recently requested origins first.
   */
  private recordRequest(origin: string, state: OriginState): void {
    state.lastRequestedAt = performance.now();
    this.origins.delete(origin);
    this.origins.set(origin, state);
  }

  private markResponded(state: OriginState): void {
    state.lastProgressAt = performance.now();
    state.responded = true;
  }

  /** Hands the free slots of `state`'s origin to its waiting jobs, oldest first. */
  private wakeWaiters(state: OriginState): void {
    while (state.waiters.length > 0 && state.inFlight < this.slotsOf(state)) {
      const next = state.waiters.shift() as Waiter;
      clearTimeout(next.timer);
      state.inFlight += 1;
      next.resolve('acquired');
    }
  }

  private mayProbe(state: OriginState): boolean {
    return state.inFlight === 0 && this.probes < this.options.maxProbes;
  }

  private hasMadeNoProgress(state: OriginState): boolean {
    return (
      state.receiving === 0 &&
      performance.now() - state.lastProgressAt >= this.options.stallAfterMs
    );
  }

  private stateOf(origin: string): OriginState {
    let state = this.origins.get(origin);
    if (!state) {
      if (this.origins.size >= MAX_TRACKED_ORIGINS) {
        this.pruneIdleOrigins();
      }
      const idle = this.idleOrigins.get(origin);
      state = {
        inFlight: 0,
        waiters: [],
        lastProgressAt: performance.now(),
        meanDurationMs: idle?.meanDurationMs ?? Number.NaN,
        responded: idle?.responded ?? false,
        lastRequestedAt: performance.now(),
        receiving: 0,
      };
      this.idleOrigins.delete(origin);
      this.origins.set(origin, state);
    }

    return state;
  }

  /**
   * Drops the state of `origin`, keeping its mean attempt duration and
   * whether it responded. A stalled origin is kept as not responded, so it
   * gets one slot when its jobs return.
   */
  private forget(origin: string, state: OriginState): void {
    this.origins.delete(origin);
    this.idleOrigins.delete(origin);
    if (Number.isNaN(state.meanDurationMs)) {
      return;
    }
    if (this.idleOrigins.size >= MAX_TRACKED_ORIGINS) {
      this.idleOrigins.delete(this.idleOrigins.keys().next().value as string);
    }
    this.idleOrigins.set(origin, {
      meanDurationMs: state.meanDurationMs,
      responded: state.responded && !this.hasMadeNoProgress(state),
    });
  }

  /**
   * Forgets idle origins, which are stalled ones: first those no job asked
   * for in FORGET_IDLE_AFTER_MS, then the least recently requested, until
   * nine tenths of MAX_TRACKED_ORIGINS are left.
   */
  private pruneIdleOrigins(): void {
    const now = performance.now();
    for (const [origin, state] of this.origins) {
      if (
        state.inFlight === 0 &&
        now - state.lastRequestedAt >= FORGET_IDLE_AFTER_MS
      ) {
        this.forget(origin, state);
      }
    }
    const target = Math.floor(MAX_TRACKED_ORIGINS * 0.9);
    for (const [origin, state] of this.origins) {
      if (this.origins.size <= target) {
        break;
      }
      if (state.inFlight === 0) {
        this.forget(origin, state);
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
