import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs at start and every interval', async () => {
    const run = jest.fn(async () => undefined);
    const task = new PeriodicTask(1_000, run, () => undefined);

    task.start();
    await jest.advanceTimersByTimeAsync(1_000);
    await jest.advanceTimersByTimeAsync(1_000);
    await task.stop();

    expect(run).toHaveBeenCalledTimes(3);
  });

  it('skips tick while a run is in progress', async () => {
    let finish: () => void = () => undefined;
    const run = jest.fn(
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    const task = new PeriodicTask(1_000, run, () => undefined);

    task.start();
    jest.advanceTimersByTime(3_000);
    finish();
    await task.stop();

    expect(run).toHaveBeenCalledTimes(1);
  });

  it('passes a failed run to onError', async () => {
    const failure = new Error('database down');
    const onError = jest.fn();
    const task = new PeriodicTask(
      1_000,
      () => Promise.reject(failure),
      onError,
    );

    task.start();
    await task.stop();

    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('stops running after stop', async () => {
    const run = jest.fn(async () => undefined);
    const task = new PeriodicTask(1_000, run, () => undefined);
    task.start();
    await task.stop();

    jest.advanceTimersByTime(5_000);

    expect(run).toHaveBeenCalledTimes(1);
  });
});
