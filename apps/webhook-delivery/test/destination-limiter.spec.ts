import {
  DestinationLimiter,
  INVALID_URL_ORIGIN,
  originOf,
} from '../src/deliveries/destination-limiter';

const ORIGIN = 'https://receiver.example:8443';
const OTHER_ORIGIN = 'https://other.example';
/** An attempt whose response arrived after 2 ms. */
const FINISHED = { finished: true, durationMs: 2, responded: false };
/** An attempt that ran into the 5 s response timeout. */
const TIMED_OUT = { finished: false, durationMs: 5_000, responded: false };

/** Returns `count` distinct origins for tests of the pruning. */
function stalledOrigins(count: number): string[] {
  return Array.from(
    { length: count },
    (_, index) => `https://stalled-${index}.example`,
  );
}

describe('DestinationLimiter', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const settled = async <T>(promise: Promise<T>): Promise<T | 'pending'> =>
    Promise.race([
      promise,
      new Promise<'pending'>((resolve) =>
        queueMicrotask(() => resolve('pending')),
      ),
    ]);

  /**
   * Takes `count` slots of ORIGIN after one finished attempt of
   * `durationMs`, which raises its slots from one to the limit.
   */
  async function takeSlots(
    limiter: DestinationLimiter,
    count: number,
    durationMs = 2,
  ) {
    await limiter.acquire(ORIGIN);
    limiter.release(ORIGIN, 'acquired', { ...FINISHED, durationMs });
    for (let slot = 0; slot < count; slot += 1) {
      await limiter.acquire(ORIGIN);
    }
  }

  /** Creates a limiter with one timed-out attempt to each of `origins`. */
  async function limiterWithStalled(origins: string[], maxProbes = 16) {
    const limiter = new DestinationLimiter(1, {
      stallAfterMs: 5_000,
      maxProbes,
    });
    for (const origin of origins) {
      await limiter.acquire(origin);
    }
    jest.advanceTimersByTime(5_000);
    for (const origin of origins) {
      limiter.release(origin, 'acquired', TIMED_OUT);
    }

    return limiter;
  }

  /** Creates a limiter whose `limit` slots of ORIGIN are taken and stalled. */
  async function stalledLimiter(limit: number, maxProbes = 16) {
    const limiter = new DestinationLimiter(limit, {
      stallAfterMs: 5_000,
      maxProbes,
    });
    await takeSlots(limiter, limit);
    jest.advanceTimersByTime(5_000);

    return limiter;
  }

  it('grants one slot until a response', async () => {
    const limiter = new DestinationLimiter(2);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    const second = limiter.acquire(ORIGIN);
    expect(await settled(second)).toBe('pending');

    limiter.recordResponse(ORIGIN);

    expect(await settled(second)).toBe('acquired');
    expect(await settled(limiter.acquire(ORIGIN))).toBe('pending');
  });

  it('grants slots up to the limit after a response', async () => {
    const limiter = new DestinationLimiter(2);
    await limiter.acquire(ORIGIN);
    limiter.release(ORIGIN, 'acquired', FINISHED);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    expect(await settled(limiter.acquire(ORIGIN))).toBe('pending');
  });

  it('keeps origin reading a slow body unstalled', async () => {
    const limiter = new DestinationLimiter(4, { stallAfterMs: 5_000 });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);

    // Headers after 1 s, then a body that takes 8 s more.
    limiter.recordResponse(ORIGIN);
    jest.advanceTimersByTime(8_000);

    expect(limiter.deferralReason(ORIGIN)).toBeUndefined();
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });

  it('stalls after the slow body ends without progress', async () => {
    const limiter = new DestinationLimiter(1, { stallAfterMs: 5_000 });
    await limiter.acquire(ORIGIN);
    limiter.recordResponse(ORIGIN);
    jest.advanceTimersByTime(9_000);
    limiter.release(ORIGIN, 'acquired', {
      finished: true,
      durationMs: 9_000,
      responded: true,
    });
    await limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(5_000);

    expect(limiter.deferralReason(ORIGIN)).toBe('stalled');
  });

  it('counts each origin apart', async () => {
    const limiter = new DestinationLimiter(1);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    await expect(limiter.acquire(OTHER_ORIGIN)).resolves.toBe('acquired');
  });

  it('hands a released slot to the first waiter', async () => {
    const limiter = new DestinationLimiter(1);
    await limiter.acquire(ORIGIN);
    const first = limiter.acquire(ORIGIN);
    limiter.release(ORIGIN, 'acquired', FINISHED);
    expect(await settled(first)).toBe('acquired');
    const second = limiter.acquire(ORIGIN);

    expect(await settled(second)).toBe('pending');
    limiter.release(ORIGIN, 'acquired', FINISHED);
    expect(await settled(second)).toBe('acquired');
  });

  it('reports busy beyond maxWaiting', async () => {
    const limiter = new DestinationLimiter(1, { maxWaiting: 2 });
    await limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('lets one round of jobs wait before an attempt finished', async () => {
    const limiter = new DestinationLimiter(2);
    await limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('lets a burst to a fast origin wait up to maxWaiting', async () => {
    const limiter = new DestinationLimiter(4);
    await takeSlots(limiter, 4);
    limiter.release(ORIGIN, 'acquired', FINISHED);
    await limiter.acquire(ORIGIN);

    // 64 jobs ahead are 16 rounds of 2 ms attempts.
    const waiting = Array.from({ length: 64 }, () => limiter.acquire(ORIGIN));

    expect(await settled(waiting[63])).toBe('pending');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('defers the waiters of a fast origin that stops responding', async () => {
    const limiter = new DestinationLimiter(4);
    await takeSlots(limiter, 4);
    limiter.release(ORIGIN, 'acquired', FINISHED);
    await limiter.acquire(ORIGIN);
    const waiting = Array.from({ length: 60 }, () => limiter.acquire(ORIGIN));

    // No attempt finishes: each waiter gives up after 250 ms.
    jest.advanceTimersByTime(249);
    expect(await settled(waiting[0])).toBe('pending');
    jest.advanceTimersByTime(1);

    expect(await settled(waiting[0])).toBe('busy');
    expect(await settled(waiting[59])).toBe('busy');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('keeps the slow mean of a pruned stalled origin', async () => {
    const limiter = new DestinationLimiter(2, { stallAfterMs: 5_000 });
    await limiter.acquire(ORIGIN);
    limiter.release(ORIGIN, 'acquired', FINISHED);
    await limiter.acquire(ORIGIN);
    await limiter.acquire(ORIGIN);
    const others = stalledOrigins(9_999);
    for (const origin of others) {
      await limiter.acquire(origin);
    }
    jest.advanceTimersByTime(5_000);
    for (const origin of [ORIGIN, ORIGIN, ...others]) {
      limiter.release(origin, 'acquired', TIMED_OUT);
    }
    jest.advanceTimersByTime(60_000);
    // A new origin at the cap prunes the stalled origins idle for 60 s.
    await limiter.acquire(OTHER_ORIGIN);
    expect(limiter.trackedOrigins).toBe(1);

    // One slot, as for an origin that never responded.
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    // The mean after two timeouts is above a second: no job waits.
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('ignores a wall-clock jump', async () => {
    const limiter = new DestinationLimiter(1, { stallAfterMs: 5_000 });
    await limiter.acquire(ORIGIN);

    jest.setSystemTime(Date.now() + 60_000);

    expect(limiter.deferralReason(ORIGIN)).toBeUndefined();
  });

  it('lets a burst wait at once for an origin that went idle', async () => {
    const limiter = new DestinationLimiter(1);
    await limiter.acquire(ORIGIN);
    limiter.release(ORIGIN, 'acquired', FINISHED);
    expect(limiter.trackedOrigins).toBe(0);

    await limiter.acquire(ORIGIN);
    const waiting = Array.from({ length: 8 }, () => limiter.acquire(ORIGIN));

    expect(await settled(waiting[7])).toBe('pending');
  });

  it('lets waiters queue for about maxWaitMs of attempts', async () => {
    const limiter = new DestinationLimiter(4, { maxWaitMs: 1_000 });
    await takeSlots(limiter, 4, 300);
    limiter.release(ORIGIN, 'acquired', {
      finished: true,
      durationMs: 300,
      responded: false,
    });
    await limiter.acquire(ORIGIN);

    // Rounds of 300 ms: a job in the fourth round would wait 1.2 s.
    const waiting = Array.from({ length: 12 }, () => limiter.acquire(ORIGIN));

    expect(await settled(waiting[11])).toBe('pending');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('reports busy at once for an origin slower than maxWaitMs', async () => {
    const limiter = new DestinationLimiter(2, {
      maxWaitMs: 1_000,
      stallAfterMs: 5_000,
    });
    await takeSlots(limiter, 2, 2_000);
    limiter.release(ORIGIN, 'acquired', {
      finished: true,
      durationMs: 2_000,
      responded: false,
    });
    await limiter.acquire(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
  });

  it('names busy as the deferral reason only when no slot is due', async () => {
    const limiter = new DestinationLimiter(2, { maxWaitMs: 1_000 });
    expect(limiter.deferralReason(ORIGIN)).toBeUndefined();
    await takeSlots(limiter, 2);
    expect(limiter.deferralReason(ORIGIN)).toBeUndefined();

    // A 5 s attempt raises the mean from 2 ms to 1.25 s.
    limiter.release(ORIGIN, 'acquired', {
      finished: true,
      durationMs: 5_000,
      responded: false,
    });
    await limiter.acquire(ORIGIN);

    expect(limiter.deferralReason(ORIGIN)).toBe('busy');
    expect(limiter.deferralReason(OTHER_ORIGIN)).toBeUndefined();
  });

  it('reports busy at once after maxWaitMs without progress', async () => {
    const limiter = new DestinationLimiter(1, {
      maxWaitMs: 1_000,
      stallAfterMs: 5_000,
    });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(999);
    const waiting = limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
    expect(await settled(waiting)).toBe('pending');
  });

  it('reports busy waiter after maxWaitMs', async () => {
    const limiter = new DestinationLimiter(1, {
      maxWaitMs: 1_000,
      stallAfterMs: 5_000,
    });
    await limiter.acquire(ORIGIN);
    const waiting = limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(999);
    expect(await settled(waiting)).toBe('pending');
    jest.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe('busy');
  });

  it('keeps slow origin within the timeout unstalled', async () => {
    const limiter = new DestinationLimiter(1, {
      maxWaitMs: 1_000,
      stallAfterMs: 5_000,
    });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(4_500);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');

    // A response after 4.9 s is a success.
    jest.advanceTimersByTime(400);
    limiter.release(ORIGIN, 'acquired', {
      finished: true,
      durationMs: 4_900,
      responded: false,
    });

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    // Slow, so the next job is deferred briefly, but not stalled.
    expect(limiter.deferralReason(ORIGIN)).toBe('busy');
  });

  it('reports stalled waiter of stalled origin', async () => {
    const limiter = new DestinationLimiter(1, {
      maxWaitMs: 1_000,
      stallAfterMs: 800,
    });
    await limiter.acquire(ORIGIN);
    const waiting = limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(1_000);

    expect(await settled(waiting)).toBe('stalled');
  });

  it('reports stalled at once while the origin is stalled', async () => {
    const limiter = await stalledLimiter(1);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
    expect(limiter.deferralReason(ORIGIN)).toBe('stalled');
  });

  it('allows one probe while stalled', async () => {
    const limiter = await stalledLimiter(4);

    // Three attempts time out; the fourth is still in flight.
    for (let slot = 0; slot < 3; slot += 1) {
      limiter.release(ORIGIN, 'acquired', TIMED_OUT);
    }
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');

    limiter.release(ORIGIN, 'acquired', TIMED_OUT);
    expect(limiter.deferralReason(ORIGIN)).toBeUndefined();
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
  });

  it('keeps origin stalled across timeouts', async () => {
    const limiter = await stalledLimiter(1);

    limiter.release(ORIGIN, 'acquired', TIMED_OUT);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
    jest.advanceTimersByTime(5_000);
    limiter.release(ORIGIN, 'probe', TIMED_OUT);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
  });

  it('limits probes over all stalled origins', async () => {
    const limiter = new DestinationLimiter(1, {
      stallAfterMs: 5_000,
      maxProbes: 2,
    });
    const origins = [
      'https://a.example',
      'https://b.example',
      'https://c.example',
    ];
    for (const origin of origins) {
      await limiter.acquire(origin);
    }
    jest.advanceTimersByTime(5_000);
    for (const origin of origins) {
      limiter.release(origin, 'acquired', TIMED_OUT);
    }

    await expect(limiter.acquire(origins[0])).resolves.toBe('probe');
    await expect(limiter.acquire(origins[1])).resolves.toBe('probe');
    await expect(limiter.acquire(origins[2])).resolves.toBe('stalled');
    expect(limiter.deferralReason(origins[2])).toBe('stalled');

    limiter.release(origins[0], 'probe', TIMED_OUT);

    await expect(limiter.acquire(origins[2])).resolves.toBe('probe');
  });

  it('ends the stall on a finished attempt', async () => {
    const limiter = await stalledLimiter(2);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');

    limiter.release(ORIGIN, 'acquired', FINISHED);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });

  it('forgets the oldest idle stalled origins at the cap', async () => {
    const origins = stalledOrigins(10_000);
    const limiter = await limiterWithStalled(origins);
    expect(limiter.trackedOrigins).toBe(10_000);

    await limiter.acquire(OTHER_ORIGIN);

    expect(limiter.trackedOrigins).toBe(9_001);
    expect(limiter.deferralReason(origins[0])).toBeUndefined();
    await expect(limiter.acquire(origins[9_999])).resolves.toBe('probe');
    await expect(limiter.acquire(origins[9_999])).resolves.toBe('stalled');
  });

  it('keeps stalled origin whose jobs return', async () => {
    const origins = stalledOrigins(10_000);
    const limiter = await limiterWithStalled(origins, 1);
    // Another origin has the one probe, so origins[0]'s jobs are
    // deferred through deferralReason, not acquire.
    await expect(limiter.acquire(origins[1])).resolves.toBe('probe');
    for (let check = 0; check < 4; check += 1) {
      jest.advanceTimersByTime(15_000);
      expect(limiter.deferralReason(origins[0])).toBe('stalled');
    }

    await limiter.acquire(OTHER_ORIGIN);

    expect(limiter.trackedOrigins).toBe(3);
    expect(limiter.deferralReason(origins[0])).toBe('stalled');
  });

  it('forgets least recently requested origins first', async () => {
    const origins = stalledOrigins(10_000);
    const limiter = await limiterWithStalled(origins);
    jest.advanceTimersByTime(54_000);
    await expect(limiter.acquire(origins[0])).resolves.toBe('probe');
    limiter.release(origins[0], 'probe', TIMED_OUT);

    await limiter.acquire(OTHER_ORIGIN);

    expect(limiter.trackedOrigins).toBe(9_001);
    await expect(limiter.acquire(origins[0])).resolves.toBe('probe');
    expect(limiter.deferralReason(origins[1])).toBeUndefined();
  });

  it('stalls on a timeout that fires early by a fraction', async () => {
    const limiter = new DestinationLimiter(1, { stallAfterMs: 5_000 });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(4_999);

    limiter.release(ORIGIN, 'acquired', { ...TIMED_OUT, durationMs: 4_999 });

    expect(limiter.trackedOrigins).toBe(1);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
  });

  it('forgets stalled origins idle for a minute', async () => {
    const origins = stalledOrigins(10_000);
    const limiter = await limiterWithStalled(origins);
    jest.advanceTimersByTime(60_000);

    await limiter.acquire(OTHER_ORIGIN);

    expect(limiter.trackedOrigins).toBe(1);
  });

  it('keeps a released slot after a timed-out waiter', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const timedOut = limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);
    await timedOut;

    limiter.release(ORIGIN, 'acquired', FINISHED);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });

  it('keys URLs that do not parse by one origin', () => {
    expect(originOf('y'.repeat(100_000))).toBe(INVALID_URL_ORIGIN);
    expect(originOf('https://receiver.example:8443/hooks?a=1')).toBe(ORIGIN);
  });
});
