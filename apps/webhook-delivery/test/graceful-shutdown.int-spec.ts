import { QUEUES } from '@quor/messaging';
import { deliveryJob } from './support/delivery-jobs';
import {
  killWorkerProcess,
  startWorkerProcess,
  workerEnvironment,
  WorkerProcess,
} from './support/delivery-worker';
import {
  answerOk,
  createReceiverTrust,
  Receiver,
  ReceiverTrust,
  startReceiver,
} from './support/receiver';
import { DeliveryTestBroker } from './support/test-broker';

const ANSWER_DELAY_MS = 2_000;

/**
 * SIGTERM to a worker process in the middle of an attempt. With
 * DELIVERY_CONCURRENCY=1 the broker hands out one job at a time, so the
 * second job has not started when the signal arrives.
 */
describe('webhook-delivery shutdown', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let receiver: Receiver;
  let worker: WorkerProcess | undefined;
  const timers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    receiver = await startReceiver(trust.certificate, (request, response) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answerOk(request, response, Buffer.alloc(0));
      }, ANSWER_DELAY_MS);
      timers.add(timer);
    });
  });

  afterAll(async () => {
    if (worker) {
      killWorkerProcess(worker);
    }
    for (const timer of timers) {
      clearTimeout(timer);
    }
    await broker?.purge();
    await broker?.close();
    await receiver?.close();
    trust?.remove();
  });

  it('finishes the attempt in flight on SIGTERM', async () => {
    worker = await startWorkerProcess({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
      DELIVERY_CONCURRENCY: '1',
      LOG_LEVEL: 'info',
    });
    const started = deliveryJob(receiver.url('/started'));
    const waiting = deliveryJob(receiver.url('/waiting'));
    await broker.publishJob(started);
    await broker.publishJob(waiting);

    const deadline = Date.now() + 10_000;
    while (receiver.requests.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    // The worker waits for the broker to confirm the record before it
    // acknowledges the job, so the record exists by now and only its copy
    // to this test's queue may still be in transit.
    await broker.waitForRecord(started.attempt_id, 5_000);
    const records = broker.recordsFor(started.attempt_id);
    const workerOutput = worker.output.join('');

    expect(receiver.requests.map((request) => request.path)).toEqual([
      '/started',
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeGreaterThan(ANSWER_DELAY_MS / 2);
    expect(records).toHaveLength(1);
    expect(records[0].outcome).toBe('success');
    expect(broker.recordsFor(waiting.attempt_id)).toHaveLength(0);
    expect(workerOutput).toContain('stopped');

    expect(await broker.queueDepth(QUEUES.deliveryJobs.name)).toBe(1);
    const handedBack = await broker.takeJob();
    expect(handedBack?.attempt_id).toBe(waiting.attempt_id);
  }, 45_000);
});
