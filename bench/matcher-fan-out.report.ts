/** Output of the matcher fan-out benchmark: a Markdown table and a draft page. */
import type { ChannelModel } from 'amqplib';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { median } from './support/statistics';

/** One fan-out and the baseline measured right after it. */
export interface RoundResult {
  matcherSeconds: number;
  /** CPU time of the matcher process during the fan-out. */
  matcherCpuSeconds: number;
  querySeconds: number;
  publishSeconds: number;
  /** CPU time of the baseline's publishing process. */
  publishCpuSeconds: number;
}

export interface RunResult {
  webhooks: number;
  rounds: RoundResult[];
  /** VmHWM once the matcher is ready, before the first event. */
  matcherIdleRssMb: number;
  /** VmHWM after the last round. */
  matcherPeakRssMb: number;
  jobBytes: number;
}

function baselineSeconds(round: RoundResult): number {
  return round.querySeconds + round.publishSeconds;
}

/**
 * One row per webhook count: medians over the rounds, and the ratio of
 * each round's fan-out to the baseline measured right after it, as median
 * and range.
 */
export function formatTable(results: RunResult[]): string {
  const lines = [
    '| webhooks | rounds | matcher (s) | jobs/s | baseline query + publish (s) | baseline jobs/s | ratio to baseline, median (range) | CPU µs per job, matcher / baseline publisher | matcher peak RSS, ready → after (MiB) | job size (bytes) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const matcher = median(result.rounds.map((round) => round.matcherSeconds));
    const query = median(result.rounds.map((round) => round.querySeconds));
    const publish = median(result.rounds.map((round) => round.publishSeconds));
    const baseline = median(result.rounds.map(baselineSeconds));
    const ratios = result.rounds.map(
      (round) => round.matcherSeconds / baselineSeconds(round),
    );
    const cpuPerJob = (seconds: number) =>
      ((seconds * 1e6) / result.webhooks).toFixed(0);
    const matcherCpu = median(
      result.rounds.map((round) => round.matcherCpuSeconds),
    );
    const publishCpu = median(
      result.rounds.map((round) => round.publishCpuSeconds),
    );
    lines.push(
      `| ${result.webhooks.toLocaleString('en-US')} ` +
        `| ${result.rounds.length} ` +
        `| ${matcher.toFixed(2)} ` +
        `| ${Math.round(result.webhooks / matcher).toLocaleString('en-US')} ` +
        `| ${baseline.toFixed(2)} (${query.toFixed(2)} + ${publish.toFixed(2)}) ` +
        `| ${Math.round(result.webhooks / baseline).toLocaleString('en-US')} ` +
        `| ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}) ` +
        `| ${cpuPerJob(matcherCpu)} / ${cpuPerJob(publishCpu)} ` +
        `| ${result.matcherIdleRssMb.toFixed(0)} → ${result.matcherPeakRssMb.toFixed(0)} ` +
        `| ${result.jobBytes} |`,
    );
  }

  return lines.join('\n');
}

/**
 * Describes the machine and servers. `loadAtStart` is the 1-minute load
 * average when the run started, because other work on the machine slows
 * every number in the table.
 */
export async function describeMachine(
  db: Client,
  amqp: ChannelModel,
  loadAtStart: number,
): Promise<string> {
  const cpus = os.cpus();
  const { rows } = await db.query<{ server_version: string }>(
    'SHOW server_version',
  );
  const broker = amqp.connection.serverProperties;

  return (
    `${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.version}, ` +
    `PostgreSQL ${rows[0].server_version}, RabbitMQ ${String(broker.version)}, ` +
    'all on one machine, 1-minute load average ' +
    `${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0].toFixed(1)} at the end`
  );
}

/** Settings of a run that the draft page names. */
export interface DraftSettings {
  nodeOptions: string;
  batchSize: string;
  repeats: number;
}

/** Writes the draft benchmark page next to this file. */
export function writeDraft(
  table: string,
  machine: string,
  settings: DraftSettings,
): void {
  const file = path.join(__dirname, 'matcher-fan-out.md');
  const options = settings.nodeOptions
    ? `NODE_OPTIONS="${settings.nodeOptions}"`
    : 'no NODE_OPTIONS';
  writeFileSync(
    file,
    [
      '# webhook-matcher fan-out',
      '',
      'One `image.updated` for an image that N organizations subscribe to,',
      'each with one enabled webhook (half select all images, half the image',
      'itself). "matcher" is the time from publishing the event until the last',
      'delivery job is in `webhook-delivery.jobs`, a quorum queue polled for',
      'its depth with no consumer. The matcher is compiled as for the',
      'container image and runs as its own process with',
      `FAN_OUT_BATCH_SIZE=${settings.batchSize} and ${options}. The baseline`,
      'for the same N is the bare matching query (every row read) plus a',
      'minimal amqplib script that publishes N messages of the job size on a',
      'confirm channel to the same exchange and queue. Each of the',
      `${settings.repeats} rounds per N runs one fan-out and then the baseline;`,
      'times are medians, and the ratio compares each fan-out with the',
      'baseline of its own round. Peak RSS is VmHWM of the matcher process,',
      'which starts fresh for each N and serves all its rounds.',
      '',
      table,
      '',
      `Machine: ${machine}.`,
      '',
      'Reproduce with `npm run bench:matcher`. It uses a database and a',
      'RabbitMQ virtual host of its own and removes them at the end.',
      '',
    ].join('\n'),
  );
  console.log(`draft written to ${path.relative(process.cwd(), file)}`);
}
