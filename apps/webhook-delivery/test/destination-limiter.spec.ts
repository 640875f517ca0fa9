import { DestinationLimiter } from '../src/deliveries/destination-limiter';

const ORIGIN = 'https://receiver.example:8443';
const OTHER_ORIGIN = 'https://other.example';

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

  /** Creates a limiter whose `limit` slots of ORIGIN are taken and stalled. */
  async function stalledLimiter(limit: number, maxProbes = 16) {
    const limiter = new DestinationLimiter(limit, {
      stallAfterMs: 5_000,
      maxProbes,
    });
    for (let slot = 0; slot < limit; slot += 1) {
      await limiter.acquire(ORIGIN);
    }
    jest.advanceTimersByTime(5_000);

    return limiter;
  }

  it('grants slots up to the limit', async () => {
    const limiter = new DestinationLimiter(2);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    expect(await settled(limiter.acquire(ORIGIN))).toBe('pending');
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
    const second = limiter.acquire(ORIGIN);

    limiter.release(ORIGIN);

    expect(await settled(first)).toBe('acquired');
    expect(await settled(second)).toBe('pending');
    limiter.release(ORIGIN);
    expect(await settled(second)).toBe('acquired');
  });

  it('reports busy beyond maxWaiting', async () => {
    const limiter = new DestinationLimiter(1, { maxWaiting: 2 });
    await limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('busy');
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
    const waiting = limiter.acquire(ORIGIN);

    // A response after 4.9 s is a success, and its slot goes to the waiter.
    jest.advanceTimersByTime(400);
    limiter.release(ORIGIN, true);

    expect(await settled(waiting)).toBe('acquired');
  });

  it('reports stalled waiter of stalled origin', async () => {
    const limiter = new DestinationLimiter(1, {
      maxWaitMs: 1_000,
      stallAfterMs: 5_000,
    });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(4_500);
    const waiting = limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(1_000);

    expect(await settled(waiting)).toBe('stalled');
  });

  it('reports stalled at once while the origin is stalled', async () => {
    const limiter = await stalledLimiter(1);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
    expect(limiter.isStalled(ORIGIN)).toBe(true);
  });

  it('allows one probe while stalled', async () => {
    const limiter = await stalledLimiter(4);

    // Three attempts time out; the fourth is still in flight.
    for (let slot = 0; slot < 3; slot += 1) {
      limiter.release(ORIGIN, false);
    }
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');

    limiter.release(ORIGIN, false);
    expect(limiter.isStalled(ORIGIN)).toBe(false);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
  });

  it('keeps origin stalled across timeouts', async () => {
    const limiter = await stalledLimiter(1);

    limiter.release(ORIGIN, false);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('probe');
    jest.advanceTimersByTime(5_000);
    limiter.release(ORIGIN, false, 'probe');

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
      limiter.release(origin, false);
    }

    await expect(limiter.acquire(origins[0])).resolves.toBe('probe');
    await expect(limiter.acquire(origins[1])).resolves.toBe('probe');
    await expect(limiter.acquire(origins[2])).resolves.toBe('stalled');
    expect(limiter.isStalled(origins[2])).toBe(true);

    limiter.release(origins[0], false, 'probe');

    await expect(limiter.acquire(origins[2])).resolves.toBe('probe');
  });

  it('ends the stall on a finished attempt', async () => {
    const limiter = await stalledLimiter(2);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');

    limiter.release(ORIGIN, true);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });

  it('forgets idle stalled origins beyond the cap', async () => {
    const limiter = new DestinationLimiter(1, { stallAfterMs: 5_000 });
    for (let index = 0; index < 1_000; index += 1) {
      await limiter.acquire(`https://stalled-${index}.example`);
    }
    jest.advanceTimersByTime(5_000);
    for (let index = 0; index < 1_000; index += 1) {
      limiter.release(`https://stalled-${index}.example`, false);
    }
    expect(limiter.trackedOrigins).toBe(1_000);

    await limiter.acquire(ORIGIN);

    expect(limiter.trackedOrigins).toBe(1);
  });

  it('keeps a released slot after a timed-out waiter', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const timedOut = limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);
    await timedOut;

    limiter.release(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });
});
