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

    await expect(limiter.acquire(ORIGIN)).resolves.toBe(true);
    await expect(limiter.acquire(ORIGIN)).resolves.toBe(true);
    expect(await settled(limiter.acquire(ORIGIN))).toBe('pending');
  });

  it('counts each origin apart', async () => {
    const limiter = new DestinationLimiter(1);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe(true);
    await expect(limiter.acquire(OTHER_ORIGIN)).resolves.toBe(true);
  });

  it('hands a released slot to the first waiter', async () => {
    const limiter = new DestinationLimiter(1);
    await limiter.acquire(ORIGIN);
    const first = limiter.acquire(ORIGIN);
    const second = limiter.acquire(ORIGIN);

    limiter.release(ORIGIN);

    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe('pending');
    limiter.release(ORIGIN);
    expect(await settled(second)).toBe(true);
  });

  it('refuses beyond maxWaiting', async () => {
    const limiter = new DestinationLimiter(1, { maxWaiting: 2 });
    await limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);
    void limiter.acquire(ORIGIN);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe(false);
  });

  it('refuses a waiter after maxWaitMs', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const waiting = limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(999);
    expect(await settled(waiting)).toBe('pending');
    jest.advanceTimersByTime(1);
    expect(await settled(waiting)).toBe(false);
  });

  it('refuses at once while the origin is stalled', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);

    jest.advanceTimersByTime(1_000);

    await expect(limiter.acquire(ORIGIN)).resolves.toBe(false);
  });

  it('admits waiters again after progress', async () => {
    const limiter = new DestinationLimiter(1, { maxWaitMs: 1_000 });
    await limiter.acquire(ORIGIN);
    const timedOut = limiter.acquire(ORIGIN);
    jest.advanceTimersByTime(1_000);
    await expect(timedOut).resolves.toBe(false);

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

    await expect(limiter.acquire(ORIGIN)).resolves.toBe(true);
  });
});
