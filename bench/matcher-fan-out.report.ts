/** Output of the matcher fan-out benchmark: a Markdown table and a draft page. */
import type { ChannelModel } from 'amqplib';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface RunResult {
  webhooks: number;
  matcherSeconds: number;
  /** VmHWM once the matcher is ready, before the event. */
  matcherIdleRssMb: number;
  matcherPeakRssMb: number;
  jobBytes: number;
  querySeconds: number;
  publishSeconds: number;
}

export function formatTable(results: RunResult[]): string {
  const lines = [
    '| webhooks | matcher (s) | jobs/s | baseline query + publish (s) | baseline jobs/s | ratio to baseline | matcher peak RSS, ready → after (MiB) | job size (bytes) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const baseline = result.querySeconds + result.publishSeconds;
    lines.push(
      `| ${result.webhooks.toLocaleString('en-US')} ` +
        `| ${result.matcherSeconds.toFixed(2)} ` +
        `| ${Math.round(result.webhooks / result.matcherSeconds).toLocaleString('en-US')} ` +
        `| ${baseline.toFixed(2)} (${result.querySeconds.toFixed(2)} + ${result.publishSeconds.toFixed(2)}) ` +
        `| ${Math.round(result.webhooks / baseline).toLocaleString('en-US')} ` +
        `| ${(result.matcherSeconds / baseline).toFixed(2)}x ` +
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

/**
 * Writes the draft benchmark page next to this file. `nodeOptions` are the
 * matcher's Node.js options, named on the page when set.
 */
export function writeDraft(
  table: string,
  machine: string,
  nodeOptions: string,
): void {
  const file = path.join(__dirname, 'matcher-fan-out.md');
  const options = nodeOptions ? `, NODE_OPTIONS=${nodeOptions}` : '';
  writeFileSync(
    file,
    [
      '# webhook-matcher fan-out',
      '',
      'One `image.updated` for an image that N organizations subscribe to,',
      'each with one enabled webhook (half select all images, half the image',
      'itself). "matcher" is the time from publishing the event until the last',
      'delivery job is in `webhook-delivery.jobs`, a quorum queue polled for',
      'its depth with no consumer. The matcher runs as its own process with',
      `FAN_OUT_BATCH_SIZE=1000${options}. The baseline for the same N is the`,
      'bare matching query (every row read) plus a minimal amqplib script that',
      'publishes N messages of the job size on a confirm channel to the same',
      'exchange and queue. Peak RSS is VmHWM of the matcher process, which',
      'starts fresh for each N.',
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
