import 'reflect-metadata';
import { DeliveryJobMessage } from '@quor/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestPki } from '@quor/egress/testing';
import { DeliveryServiceConfig } from '../apps/webhook-delivery/src/config/delivery.config';
import { buildDeliveryRequest } from '../apps/webhook-delivery/src/deliveries/delivery-request';
import { deliveryJob } from '../apps/webhook-delivery/test/support/delivery-jobs';
import {
  BenchBroker,
  BenchVirtualHost,
  createBenchVirtualHost,
  RecordTally,
} from './support/bench-broker';
import {
  compileReferenceWorker,
  compileService,
} from './support/compile-service';
import { manifestNodeOptions } from './support/manifest-node-options';
import { runRawClient } from './support/raw-client';
import {
  ReceiverProcess,
  startReceiverProcess,
} from './support/receiver-control';
import { BenchWorker, startBenchWorker } from './support/worker-process';
import { median } from './support/statistics';

/**
 * Measures the delivery throughput and memory of one webhook-delivery
 * worker against local HTTPS receivers, next to a plain node:https client
 * with the same concurrency, and prints a Markdown table. Phases:
 *   a   node:https client, 16 endpoints, concurrency DELIVERY_CONCURRENCY
 *   a1  node:https client, 1 endpoint, concurrency
 *       DELIVERY_PER_DESTINATION_CONCURRENCY
 *   b   worker, jobs to 16 endpoints that respond 200 at once
 *   b1  worker, jobs to 1 such endpoint
 *   c   worker, the jobs of b interleaved with as many jobs to 1 endpoint
 *       that never responds
 *   d   worker, jobs to 16 endpoints that send 200 MB bodies
 *   r   reference worker (support/reference-worker.ts) with node:https,
 *       the jobs of b: the floor of a broker-fed worker on this machine
 *   rg  reference worker with got, the jobs of b
 *   rc  reference worker with node:https, the jobs of c
 * Each worker phase publishes its jobs first and then starts a new worker
 * process, so its rate runs from the first record to the last. The broker
 * is the one of AMQP_URL, in a virtual host created for the run and
 * deleted after it. Environment variables:
 *   - BENCH_JOBS: jobs per phase, default 16000, so that phase c outlasts
 *     the 5 s after which a destination counts as stalled.
 *   - BENCH_ROUNDS: times each selected phase runs, default 3. The summary
 *     gives medians, and ratios compare phases of the same round.
 *   - BENCH_LIMIT_MS: time after which the run stops itself, default 600000.
 *   - BENCH_PHASES: comma-separated phases to run, default all.
 *   - BENCH_CPU_PROFILE_DIR: directory for a V8 CPU profile of each worker.
 *   - BENCH_KEEP_LOGS: keeps the workers' log files when set.
 *   - BENCH_WORKER_MAIN: compiled main.js to run in place of a build of the
 *     working tree, to compare two versions.
 *   - BENCH_WORKER_NODE_OPTIONS: space-separated Node.js options for the
 *     worker in place of the NODE_OPTIONS of k8s/base/webhook-delivery.yaml;
 *     an empty value runs it with V8's defaults.
 */

const JOBS = Number(process.env.BENCH_JOBS || 16_000);
/** Times every selected phase runs, in order; BENCH_ROUNDS, default 3. */
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const LIMIT_MS = Number(process.env.BENCH_LIMIT_MS || 600_000);
const PHASE_TIMEOUT_MS = 60_000;
const HEALTHY_ENDPOINTS = 16;
const LARGE_BODY_ENDPOINTS = 16;
const LARGE_BODY_BYTES = 200 * 1024 * 1024;
const LARGE_BODY_JOBS = 256;
/** Sockets per origin of the worker's agent (egress default). */
const MAX_SOCKETS_PER_ORIGIN = 8;
const HANGING_HOST = '127.0.0.2';
const DEFAULTS = new DeliveryServiceConfig();
const ROOT = path.resolve(__dirname, '..');
/**
 * Node.js options of the worker: those of its Kubernetes manifest, or
 * BENCH_WORKER_NODE_OPTIONS (e.g. an empty value for V8's defaults).
 */
const WORKER_NODE_OPTIONS =
  process.env.BENCH_WORKER_NODE_OPTIONS ??
  manifestNodeOptions('webhook-delivery');

interface Row {
  phase: string;
  count: number;
  seconds: number;
  perSecond: number;
  /** Ratio to the named reference row, as a fraction. */
  ratio?: { to: string; value: number };
  peakRssBytes?: number;
  /** CPU seconds of the worker, or of this process for the raw client. */
  cpuSeconds?: number;
  note?: string;
}

const cleanups: (() => Promise<void> | void)[] = [];

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function rate(tally: RecordTally): { seconds: number; perSecond: number } {
  const seconds = (tally.lastAt - tally.firstAt) / 1000;

  return {
    seconds,
    perSecond: seconds > 0 ? (tally.count - 1) / seconds : 0,
  };
}

/** Lists outcomes other than success, or nothing when all succeeded. */
function failedOutcomes(tally: RecordTally): string | undefined {
  const failed = Object.entries(tally.outcomes).filter(
    ([outcome]) => outcome !== 'success',
  );

  return failed.length > 0
    ? failed.map(([outcome, count]) => `${count} ${outcome}`).join(', ')
    : undefined;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(0)}%`;
}

/**
 * Prints one row per phase over all rounds: the median rate and CPU time,
 * the ratio as median and range (each round's ratio compares two phases
 * of that round), and the highest VmHWM of any round.
 */
function printSummary(rounds: Map<string, Row>[]): void {
  console.log(
    '| phase | rounds | per second, median | ratio, median (range) | worker VmHWM, max | CPU ms each, median |',
  );
  console.log('| --- | ---: | ---: | --- | ---: | ---: |');
  for (const key of rounds[0].keys()) {
    const rows = rounds.map((round) => round.get(key) as Row);
    const ratios = rows.flatMap((row) => (row.ratio ? [row.ratio.value] : []));
    const ratio =
      ratios.length > 0
        ? `${percent(median(ratios))} of ${rows[0].ratio?.to} ` +
          `(${percent(Math.min(...ratios))} to ${percent(Math.max(...ratios))})`
        : '';
    const peaks = rows.flatMap((row) =>
      row.peakRssBytes === undefined ? [] : [row.peakRssBytes],
    );
    const cpu = rows.flatMap((row) =>
      row.cpuSeconds === undefined ? [] : [(row.cpuSeconds * 1000) / row.count],
    );
    console.log(
      `| ${rows[0].phase} | ${rows.length} | ` +
        `${median(rows.map((row) => row.perSecond)).toFixed(0)} | ${ratio} | ` +
        `${peaks.length > 0 ? megabytes(Math.max(...peaks)) : ''} | ` +
        `${cpu.length > 0 ? median(cpu).toFixed(2) : ''} |`,
    );
  }
}

function printTable(rows: Row[]): void {
  console.log(
    '| phase | count | seconds | per second | ratio | worker VmHWM | CPU s | CPU ms each | note |',
  );
  console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const ratio = row.ratio
      ? `${(row.ratio.value * 100).toFixed(0)}% of ${row.ratio.to}`
      : '';
    console.log(
      `| ${row.phase} | ${row.count} | ${row.seconds.toFixed(2)} | ` +
        `${row.perSecond.toFixed(0)} | ${ratio} | ` +
        `${megabytes(row.peakRssBytes)} | ` +
        `${row.cpuSeconds?.toFixed(1) ?? ''} | ` +
        `${row.cpuSeconds === undefined ? '' : ((row.cpuSeconds * 1000) / row.count).toFixed(2)} | ` +
        `${row.note ?? ''} |`,
    );
  }
}

interface Setup {
  /** Compiled reference worker, once a reference phase compiled it. */
  referenceMain?: Promise<string>;
  receivers: ReceiverProcess;
  broker: BenchBroker;
  vhost: BenchVirtualHost;
  caCertificate: string;
  workerEnv: Record<string, string>;
  workerMain: string;
  workdir: string;
}

async function setUp(): Promise<Setup> {
  const workdir = mkdtempSync(path.join(tmpdir(), 'quor-delivery-bench-'));
  if (!process.env.BENCH_KEEP_LOGS) {
    cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
  } else {
    console.error(`worker logs stay in ${workdir}`);
  }
  let workerMain = process.env.BENCH_WORKER_MAIN;
  if (!workerMain) {
    const buildDirectory = path.join(
      ROOT,
      'tmp',
      `delivery-bench-${process.pid}`,
    );
    cleanups.push(() =>
      rmSync(buildDirectory, { recursive: true, force: true }),
    );
    workerMain = await compileService('webhook-delivery', buildDirectory);
  }

  const pki = createTestPki();
  const certificate = pki.issue(['localhost'], ['127.0.0.1', HANGING_HOST]);
  const caFile = path.join(workdir, 'ca.pem');
  writeFileSync(caFile, pki.caCertificate);

  const receivers = await startReceiverProcess({
    ...certificate,
    healthy: HEALTHY_ENDPOINTS,
    hanging: 1,
    hangingHost: HANGING_HOST,
    largeBody: LARGE_BODY_ENDPOINTS,
    largeBodyBytes: LARGE_BODY_BYTES,
  });
  cleanups.push(() => receivers.stop());

  const vhost = await createBenchVirtualHost(
    process.env.AMQP_URL || DEFAULTS.AMQP_URL,
  );
  cleanups.push(() => vhost.remove());
  const broker = await BenchBroker.connect(vhost.amqpUrl);
  cleanups.push(() => broker.close());

  return {
    receivers,
    broker,
    vhost,
    caCertificate: pki.caCertificate,
    workerMain,
    workdir,
    workerEnv: {
      AMQP_URL: vhost.amqpUrl,
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: caFile,
      LOG_LEVEL: 'info',
    },
  };
}

function urls(host: string, ports: number[]): string[] {
  return ports.map((port) => `https://${host}:${port}/hooks`);
}

/**
 * Builds `count` jobs to `targets` in turn. Each target is one
 * webhook, with its own id and secret on all of its jobs, as in a fan-out.
 */
function jobsTo(targets: string[], count: number): DeliveryJobMessage[] {
  const webhooks = targets.map((url) => {
    const { webhook_id, secrets } = deliveryJob(url);

    return { url, webhook_id, secrets };
  });

  return Array.from({ length: count }, (_, index) => {
    const { url, ...webhook } = webhooks[index % webhooks.length];

    return deliveryJob(url, webhook);
  });
}

interface WorkerPhaseResult {
  tally: RecordTally;
  peakRssBytes: number;
  cpuSeconds: number;
  /** Jobs the worker deferred, by reason, or null if unknown. */
  deferrals: Record<string, number> | null;
}

/**
 * Reads quor_delivery_jobs_deferred_total from the worker's /metrics, by
 * its `reason` label, or returns null when the worker does not export it.
 * A worker without the label counts under "any".
 */
async function readDeferrals(
  port: number,
): Promise<Record<string, number> | null> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    signal: AbortSignal.timeout(2_000),
  }).catch(() => null);
  if (!response?.ok) {
    return null;
  }
  const lines = (await response.text()).matchAll(
    /^quor_delivery_jobs_deferred_total(?:\{(?:reason="([^"]*)")?[^}]*\})? (\S+)$/gm,
  );
  const counts: Record<string, number> = {};
  for (const [, reason, value] of lines) {
    counts[reason ?? 'any'] = Number(value);
  }

  return Object.keys(counts).length > 0 ? counts : null;
}

/** Describes the deferrals and failed outcomes of a worker phase. */
function workerNote(result: WorkerPhaseResult, extra?: string): string {
  const deferrals =
    result.deferrals === null
      ? undefined
      : Object.entries(result.deferrals)
          .map(([reason, count]) => `${count} ${reason}`)
          .join(' + ') + ' deferrals';

  return [extra, deferrals, failedOutcomes(result.tally)]
    .filter(Boolean)
    .join('; ');
}

/** Returns the jobs of all groups, alternating between groups. */
function interleave(groups: DeliveryJobMessage[][]): DeliveryJobMessage[] {
  const longest = Math.max(...groups.map((jobs) => jobs.length));
  const result: DeliveryJobMessage[] = [];
  for (let index = 0; index < longest; index += 1) {
    for (const jobs of groups) {
      if (index < jobs.length) {
        result.push(jobs[index]);
      }
    }
  }

  return result;
}

/**
 * Publishes the jobs of every group, alternating between groups, then
 * starts a worker and waits for the records of `measured`. The worker
 * starts after publishing, so the rate covers delivery only.
 */
async function runWorkerPhase(
  setup: Setup,
  name: string,
  groups: Record<string, DeliveryJobMessage[]>,
  measured: string,
  worker: { mainFile: string; env: Record<string, string> } = {
    mainFile: setup.workerMain,
    env: setup.workerEnv,
  },
): Promise<WorkerPhaseResult> {
  await setup.broker.purge();
  for (const [group, jobs] of Object.entries(groups)) {
    setup.broker.track(group, jobs);
  }
  await setup.broker.publishJobs(interleave(Object.values(groups)));

  const profileDirectory = process.env.BENCH_CPU_PROFILE_DIR;
  const started: BenchWorker = await startBenchWorker({
    ...worker,
    nodeOptions: [
      ...WORKER_NODE_OPTIONS.split(' ').filter(Boolean),
      ...(profileDirectory
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${path.resolve(profileDirectory, name)}`,
          ]
        : []),
    ],
    logFile: path.join(setup.workdir, `${name}.log`),
  });
  const cpuAtStart = started.cpuSeconds();
  const stopWorker = () => started.stop();
  cleanups.push(stopWorker);

  const expected = groups[measured]?.length ?? 0;
  const tally = await setup.broker.waitForRecords(
    measured,
    expected,
    PHASE_TIMEOUT_MS,
  );
  const { peakRssBytes } = started.memory();
  const deferrals = await readDeferrals(started.port);
  const cpuSeconds = started.cpuSeconds() - cpuAtStart;
  await started.stop();
  cleanups.splice(cleanups.indexOf(stopWorker), 1);

  if (tally.count < expected) {
    console.warn(
      `${name}: ${tally.count} of ${expected} records within ` +
        `${PHASE_TIMEOUT_MS} ms; the rate covers those that arrived`,
    );
  }

  return { tally, peakRssBytes, cpuSeconds, deferrals };
}

interface PhaseContext {
  setup: Setup;
  healthy: string[];
  hanging: string[];
  largeBody: string[];
  sample: { headers: Record<string, string>; body: string };
  /** Rows measured so far, by key. */
  rows: Map<string, Row>;
}

function ratioTo(
  context: PhaseContext,
  key: string,
  perSecond: number,
): Row['ratio'] {
  const reference = context.rows.get(key);

  return reference
    ? { to: `(${key})`, value: perSecond / reference.perSecond }
    : undefined;
}

async function rawPhase(
  context: PhaseContext,
  urlsToPost: string[],
  total: number,
  concurrency: number,
  phase: string,
): Promise<Row> {
  const result = await runRawClient({
    urls: urlsToPost,
    total,
    concurrency,
    maxSocketsPerOrigin: MAX_SOCKETS_PER_ORIGIN,
    ca: context.setup.caCertificate,
    headers: context.sample.headers,
    body: context.sample.body,
  });

  return {
    phase,
    count: result.requests,
    seconds: result.seconds,
    perSecond: result.requests / result.seconds,
    cpuSeconds: result.cpuSeconds,
    note: result.failures > 0 ? `${result.failures} failed` : undefined,
  };
}

/** Phases by key, in the order they run. */
const PHASES: Record<string, (context: PhaseContext) => Promise<Row>> = {
  a: (context) =>
    rawPhase(
      context,
      context.healthy,
      JOBS,
      DEFAULTS.DELIVERY_CONCURRENCY,
      `(a) raw node:https, ${HEALTHY_ENDPOINTS} endpoints, concurrency ${DEFAULTS.DELIVERY_CONCURRENCY}`,
    ),

  a1: (context) =>
    rawPhase(
      context,
      context.healthy.slice(0, 1),
      JOBS / 4,
      DEFAULTS.DELIVERY_PER_DESTINATION_CONCURRENCY,
      `(a1) raw node:https, 1 endpoint, concurrency ${DEFAULTS.DELIVERY_PER_DESTINATION_CONCURRENCY}`,
    ),

  b: async (context) => {
    const result = await runWorkerPhase(
      context.setup,
      'b',
      { healthy: jobsTo(context.healthy, JOBS) },
      'healthy',
    );
    const measured = rate(result.tally);

    return {
      phase: `(b) worker, ${HEALTHY_ENDPOINTS} endpoints`,
      count: result.tally.count,
      ...measured,
      ratio: ratioTo(context, 'a', measured.perSecond),
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      note: workerNote(result),
    };
  },

  b1: async (context) => {
    const result = await runWorkerPhase(
      context.setup,
      'b1',
      { single: jobsTo(context.healthy.slice(0, 1), JOBS / 4) },
      'single',
    );
    const measured = rate(result.tally);

    return {
      phase: '(b1) worker, 1 endpoint',
      count: result.tally.count,
      ...measured,
      ratio: ratioTo(context, 'a1', measured.perSecond),
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      note: workerNote(result),
    };
  },

  c: async (context) => {
    const result = await runWorkerPhase(
      context.setup,
      'c',
      {
        hanging: jobsTo(context.hanging, JOBS),
        healthy: jobsTo(context.healthy, JOBS),
      },
      'healthy',
    );
    const measured = rate(result.tally);

    return {
      phase: `(c) worker, ${HEALTHY_ENDPOINTS} healthy endpoints while half the jobs go to 1 hanging endpoint`,
      count: result.tally.count,
      ...measured,
      ratio: ratioTo(context, 'b', measured.perSecond),
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      note: workerNote(
        result,
        `${context.setup.broker.tally('hanging').count} hanging records`,
      ),
    };
  },

  d: async (context) => {
    const before = await context.setup.receivers.counts();
    const result = await runWorkerPhase(
      context.setup,
      'd',
      { large: jobsTo(context.largeBody, LARGE_BODY_JOBS) },
      'large',
    );
    const after = await context.setup.receivers.counts();
    const written = after.largeBodyBytesWritten - before.largeBodyBytesWritten;

    return {
      phase: `(d) worker, ${LARGE_BODY_ENDPOINTS} endpoints sending 200 MB bodies`,
      count: result.tally.count,
      ...rate(result.tally),
      peakRssBytes: result.peakRssBytes,
      cpuSeconds: result.cpuSeconds,
      note: workerNote(
        result,
        `receivers wrote ${megabytes(written)} in total`,
      ),
    };
  },

  r: (context) => referencePhase(context, 'r', 'https', false),
  rg: (context) => referencePhase(context, 'rg', 'got', false),
  rc: (context) => referencePhase(context, 'rc', 'https', true),
};

/**
 * Returns the main file and environment of the reference worker with
 * `client`, compiling it on the first call.
 */
async function referenceWorker(
  setup: Setup,
  client: 'https' | 'got',
): Promise<{ mainFile: string; env: Record<string, string> }> {
  if (!setup.referenceMain) {
    const buildDirectory = path.join(
      ROOT,
      'tmp',
      `delivery-bench-${process.pid}-reference`,
    );
    cleanups.push(() =>
      rmSync(buildDirectory, { recursive: true, force: true }),
    );
    setup.referenceMain = compileReferenceWorker(buildDirectory);
  }

  return {
    mainFile: await setup.referenceMain,
    env: { ...setup.workerEnv, REFERENCE_CLIENT: client },
  };
}

/**
 * Runs the reference worker with `client` on the jobs of (b), or of (c)
 * when `withHanging` is set, as phase `key`.
 */
async function referencePhase(
  context: PhaseContext,
  key: string,
  client: 'https' | 'got',
  withHanging: boolean,
): Promise<Row> {
  // Hanging jobs come first in each pair, as in (c).
  const groups: Record<string, DeliveryJobMessage[]> = withHanging
    ? { hanging: jobsTo(context.hanging, JOBS) }
    : {};
  groups.healthy = jobsTo(context.healthy, JOBS);
  const result = await runWorkerPhase(
    context.setup,
    key,
    groups,
    'healthy',
    await referenceWorker(context.setup, client),
  );
  const measured = rate(result.tally);
  const clientName = client === 'got' ? 'got' : 'node:https';
  const jobs = withHanging ? 'jobs of (c)' : `${HEALTHY_ENDPOINTS} endpoints`;

  return {
    phase: `(${key}) reference worker, ${clientName}, ${jobs}`,
    count: result.tally.count,
    ...measured,
    ratio: ratioTo(context, withHanging ? 'r' : 'a', measured.perSecond),
    peakRssBytes: result.peakRssBytes,
    cpuSeconds: result.cpuSeconds,
    note: workerNote(result),
  };
}

async function main(): Promise<void> {
  const selected = (process.env.BENCH_PHASES || Object.keys(PHASES).join(','))
    .split(',')
    .map((key) => key.trim());
  const unknown = selected.filter((key) => !(key in PHASES));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_PHASES names unknown phases ${unknown.join(', ')}; use a comma-separated list of ${Object.keys(PHASES).join(', ')}`,
    );
  }

  const setup = await setUp();
  const { ports } = setup.receivers;
  const healthy = urls('127.0.0.1', ports.healthy);
  const context: PhaseContext = {
    setup,
    healthy,
    hanging: urls(HANGING_HOST, ports.hanging),
    largeBody: urls('127.0.0.1', ports.largeBody),
    sample: buildDeliveryRequest(deliveryJob(healthy[0]), new Date()),
    rows: new Map(),
  };

  const rounds: Map<string, Row>[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    context.rows = new Map();
    for (const [key, run] of Object.entries(PHASES)) {
      if (selected.includes(key)) {
        console.error(`round ${round}, phase ${key}`);
        context.rows.set(key, await run(context));
      }
    }
    rounds.push(context.rows);
  }

  console.log(
    `\nDELIVERY_CONCURRENCY ${DEFAULTS.DELIVERY_CONCURRENCY}, ` +
      `DELIVERY_PER_DESTINATION_CONCURRENCY ${DEFAULTS.DELIVERY_PER_DESTINATION_CONCURRENCY}, ` +
      `${JOBS} jobs per phase, ${ROUNDS} rounds, ` +
      `worker NODE_OPTIONS "${WORKER_NODE_OPTIONS}"\n`,
  );
  printSummary(rounds);
  rounds.forEach((rows, index) => {
    console.log(`\nRound ${index + 1}:\n`);
    printTable([...rows.values()]);
  });
}

const limit = setTimeout(() => {
  console.error(`benchmark exceeded ${LIMIT_MS} ms; stopping`);
  cleanUp().finally(() => process.exit(1));
}, LIMIT_MS);

process.once('SIGINT', () => {
  cleanUp().finally(() => process.exit(130));
});

main()
  .then(async () => {
    clearTimeout(limit);
    await cleanUp();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    clearTimeout(limit);
    await cleanUp();
    process.exit(1);
  });
