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

  it('reports stalled waiter after maxWaitMs', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const waiting = limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(999);
    expect(await settled(waiting)).toBe('pending');
    jest.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe('stalled');
  });

  it('reports busy waiter of progressing origin', async () => {
    const limiter = new DestinationLimiter(2, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(500);
    const first = limiter.acquire(ORIGIN);
    const second = limiter.acquire(ORIGIN);

    // One attempt finishes after 900 ms and its slot goes to the first
    // waiter, so the origin progressed but the second waiter got nothing.
    jest.advanceTimersByTime(400);
    limiter.release(ORIGIN);
    jest.advanceTimersByTime(600);

    expect(await settled(first)).toBe('acquired');
    expect(await settled(second)).toBe('busy');
  });

  it('reports stalled at once while the origin is stalled', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(1_000);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
  });

  it('allows one probe while stalled', async () => {
    const limiter = new DestinationLimiter(4, { maxWaitMs: 1_000 });
    for (let slot = 0; slot < 4; slot += 1) {
      await limiter.acquire(ORIGIN);
    }
    jest.advanceTimersByTime(1_000);

    // Three attempts time out; the fourth is still in flight.
    for (let slot = 0; slot < 3; slot += 1) {
      limiter.release(ORIGIN, false);
    }
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
    expect(limiter.isStalled(ORIGIN)).toBe(true);

    limiter.release(ORIGIN, false);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');
  });

  it('keeps origin stalled across timeouts', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(5_000);

    limiter.release(ORIGIN, false);
    await limiter.acquire(ORIGIN);

    expect(limiter.isStalled(ORIGIN)).toBe(true);
  });

  it('ends the stall on a finished attempt', async () => {
    const limiter = new DestinationLimiter(2, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('stalled');

    limiter.release(ORIGIN, true);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
    await expect(limiter.acquire(ORIGIN)).resolves.toBe('acquired');
  });

  it('forgets idle stalled origins beyond the cap', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    for (let index = 0; index < 1_000; index += 1) {
      await limiter.acquire(`https://stalled-${index}.example`);
    }
    jest.advanceTimersByTime(1_000);
    for (let index = 0; index < 1_000; index += 1) {
      limiter.release(`https://stalled-${index}.example`, false);
    }
    expect(limiter.trackedOrigins).toBe(1_000);

    await limiter.acquire(ORIGIN);

    expect(limiter.trackedOrigins).toBe(1);
  });

  it('admits waiters again after progress', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const timedOut = limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);
    await expect(timedOut).resolves.toBe('stalled');

    limiter.release(ORIGIN);
    await limiter.acquire(ORIGIN);

    expect(await settled(limiter.acquire(ORIGIN))).toBe('pending');
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
