/**
 * Measures fan-outs of webhook-matcher against a baseline.
 *
 * It writes 10,000 and then 100,000 subscribed webhooks (one per
 * organization) straight into the read model and starts the compiled
 * matcher as a child process, with the NODE_OPTIONS of its Kubernetes
 * manifest. Each of BENCH_REPEATS rounds publishes one new image.updated
 * and measures the time until the last delivery job is in
 * `webhook-delivery.jobs`, by polling the depth of that queue with no
 * consumer attached. The round then runs the baseline: the bare matching
 * query plus a minimal amqplib publisher that sends as many messages of
 * the same size on a confirm channel. The matcher's peak resident memory
 * (VmHWM) is read before the first round and after the last.
 *
 * Runs in a database and RabbitMQ virtual host of its own, created from
 * DATABASE_URL and AMQP_URL and removed at the end. Stops itself after
 * 10 minutes. Usage: npm run bench:matcher, with BENCH_COUNTS,
 * BENCH_REPEATS, BENCH_MATCHER_NODE_OPTIONS and BENCH_FAN_OUT_BATCH_SIZE as
 * described below.
 */
import 'reflect-metadata';
import { assertTopology, EVENTS_EXCHANGE, QUEUES } from '@quor/messaging';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLE_IMAGE_UPDATED } from '../apps/webhook-matcher/test/support/fixtures';
import {
  createIsolatedEnvironment,
  IsolatedEnvironment,
} from '@quor/platform/testing';
import {
  connectToMatcherSchema,
  resetMatcherSchema,
} from '../apps/webhook-matcher/test/support/matcher-app';
import {
  freePort,
  MatcherProcess,
} from '../apps/webhook-matcher/test/support/matcher-process';
import { seedSubscribedWebhooks } from '../apps/webhook-matcher/test/support/read-model-seed';
import { measurePublish, measureQuery } from './matcher-fan-out.baseline';
import { compileService } from './support/compile-service';
import { readCpuSeconds } from './support/worker-process';
import { manifestNodeOptions } from './support/manifest-node-options';
import {
  describeMachine,
  formatTable,
  RoundResult,
  RunResult,
  writeDraft,
} from './matcher-fan-out.report';

/** Webhook counts to measure; BENCH_COUNTS=10000,100000,300000 adds one. */
const COUNTS = (process.env.BENCH_COUNTS ?? '10000,100000')
  .split(',')
  .map((count) => Number(count));
/**
 * Node.js options of the matcher process: those of its Kubernetes
 * manifest, or BENCH_MATCHER_NODE_OPTIONS (e.g. an empty value for V8's
 * defaults).
 */
const MATCHER_NODE_OPTIONS =
  process.env.BENCH_MATCHER_NODE_OPTIONS ??
  manifestNodeOptions('webhook-matcher');
/** Fan-outs and baselines measured per webhook count; BENCH_REPEATS. */
const REPEATS = Number(process.env.BENCH_REPEATS ?? '3');
/** The matcher's FAN_OUT_BATCH_SIZE; its default unless BENCH_FAN_OUT_BATCH_SIZE. */
const FAN_OUT_BATCH_SIZE = process.env.BENCH_FAN_OUT_BATCH_SIZE ?? '1000';
const DEADLINE_MS = 10 * 60 * 1000;
const ROOT = path.resolve(__dirname, '..');
const JOBS_QUEUE = QUEUES.deliveryJobs.name;
const IMAGE = 'bench/fan-out';
const REGISTRY = EXAMPLE_IMAGE_UPDATED.registry;

/** Resolves when `check` is true; throws after `timeoutMs`. */
async function pollUntil(
  description: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Returns the peak resident set size of `pid` in MiB, from VmHWM. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) {
    throw new Error(`VmHWM missing from /proc/${pid}/status`);
  }

  return Number(match[1]) / 1024;
}

async function purgeJobs(channel: Channel): Promise<void> {
  await channel.purgeQueue(JOBS_QUEUE);
}

async function depth(channel: Channel): Promise<number> {
  return (await channel.checkQueue(JOBS_QUEUE)).messageCount;
}

/** Starts the compiled matcher and waits until it is ready. */
async function startMatcher(
  environment: IsolatedEnvironment,
  matcherMain: string,
): Promise<MatcherProcess> {
  const port = await freePort();
  const matcher = MatcherProcess.startCompiled(
    {
      DATABASE_URL: environment.databaseUrl,
      AMQP_URL: environment.amqpUrl,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: MATCHER_NODE_OPTIONS,
      FAN_OUT_BATCH_SIZE: FAN_OUT_BATCH_SIZE,
    },
    matcherMain,
  );
  try {
    await matcher.waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
  } catch (error) {
    await matcher.kill();
    throw error;
  }

  return matcher;
}

/**
 * Publishes one new image.updated and returns the seconds until all
 * `webhooks` jobs are in the queue, and the size of one job.
 */
async function measureFanOut(
  amqp: ChannelModel,
  channel: Channel,
  matcher: MatcherProcess,
  webhooks: number,
): Promise<{ seconds: number; cpuSeconds: number; jobBytes: number }> {
  const publisher = await amqp.createConfirmChannel();
  const body = {
    ...EXAMPLE_IMAGE_UPDATED,
    event_id: randomUUID(),
    image: IMAGE,
  };

  const started = performance.now();
  const cpuAtStart = readCpuSeconds(matcher.pid);
  publisher.publish(
    EVENTS_EXCHANGE,
    'image.updated',
    Buffer.from(JSON.stringify(body)),
    { persistent: true, contentType: 'application/json' },
  );
  await publisher.waitForConfirms();
  await pollUntil(
    `${webhooks} jobs in ${JOBS_QUEUE}`,
    async () => (await depth(channel)) >= webhooks,
    DEADLINE_MS,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = readCpuSeconds(matcher.pid) - cpuAtStart;
  await publisher.close();

  const sample = await channel.get(JOBS_QUEUE, { noAck: true });
  if (!sample) {
    throw new Error(`${JOBS_QUEUE} is empty after the fan-out`);
  }
  // The sample was taken out, so one fewer must remain.
  const remaining = await depth(channel);
  if (remaining !== webhooks - 1) {
    throw new Error(`expected ${webhooks} jobs, found ${remaining + 1}`);
  }
  await purgeJobs(channel);

  return { seconds, cpuSeconds, jobBytes: sample.content.length };
}

/**
 * Seeds `webhooks` subscribed webhooks, then runs REPEATS rounds of one
 * fan-out followed by the baseline, so that each pair of numbers saw
 * about the same machine load. One matcher process serves every round,
 * and its peak RSS covers all of them.
 */
async function runOne(
  environment: IsolatedEnvironment,
  amqp: ChannelModel,
  channel: Channel,
  webhooks: number,
  matcherMain: string,
): Promise<RunResult> {
  await resetMatcherSchema(environment.databaseUrl);
  const db = await connectToMatcherSchema(environment.databaseUrl);
  try {
    await seedSubscribedWebhooks(db, {
      count: webhooks,
      registry: REGISTRY,
      image: IMAGE,
      organizationPrefix: `bench-${webhooks}-`,
    });
    await purgeJobs(channel);

    const matcher = await startMatcher(environment, matcherMain);
    const rounds: RoundResult[] = [];
    let jobBytes = 0;
    let matcherIdleRssMb = 0;
    let matcherPeakRssMb = 0;
    try {
      matcherIdleRssMb = peakRssMb(matcher.pid);
      for (let round = 0; round < REPEATS; round += 1) {
        const fanOut = await measureFanOut(amqp, channel, matcher, webhooks);
        jobBytes = fanOut.jobBytes;

        const querySeconds = await measureQuery(db, REGISTRY, IMAGE);
        const publish = await measurePublish(amqp, webhooks, jobBytes);
        await pollUntil(
          `baseline messages in ${JOBS_QUEUE}`,
          async () => (await depth(channel)) >= webhooks,
          60_000,
        );
        await purgeJobs(channel);
        rounds.push({
          matcherSeconds: fanOut.seconds,
          matcherCpuSeconds: fanOut.cpuSeconds,
          querySeconds,
          publishSeconds: publish.seconds,
          publishCpuSeconds: publish.cpuSeconds,
        });
      }
      matcherPeakRssMb = peakRssMb(matcher.pid);
    } finally {
      await matcher.stop();
    }

    return { webhooks, rounds, jobBytes, matcherIdleRssMb, matcherPeakRssMb };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error('benchmark stopped after 10 minutes');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  const buildDirectory = path.join(ROOT, 'tmp', `matcher-bench-${process.pid}`);
  const matcherMain = await compileService('webhook-matcher', buildDirectory);
  const loadAtStart = os.loadavg()[0];
  const environment = await createIsolatedEnvironment('webhook_matcher_bench');
  let amqp: ChannelModel | undefined;
  try {
    amqp = await connect(environment.amqpUrl);
    const channel = await amqp.createChannel();
    await assertTopology(channel, [QUEUES.deliveryJobs]);

    const results: RunResult[] = [];
    for (const webhooks of COUNTS) {
      console.log(`fan-out of ${webhooks.toLocaleString('en-US')} webhooks...`);
      results.push(
        await runOne(environment, amqp, channel, webhooks, matcherMain),
      );
    }

    const db = await connectToMatcherSchema(environment.databaseUrl);
    const machine = await describeMachine(db, amqp, loadAtStart);
    await db.end();
    const table = formatTable(results);
    console.log(`\n${table}\n\nMachine: ${machine}.\n`);
    writeDraft(table, machine, {
      nodeOptions: MATCHER_NODE_OPTIONS,
      batchSize: FAN_OUT_BATCH_SIZE,
      repeats: REPEATS,
    });
  } finally {
    await amqp?.close().catch(() => undefined);
    await environment.dispose();
    rmSync(buildDirectory, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
