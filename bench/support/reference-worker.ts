import { connect, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { got } from 'got';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { DeliveryJobMessage } from '@quor/contracts';
import { FIXED_GOT_OPTIONS } from '@quor/egress';
import { QUEUES, WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { buildDeliveryRequest } from '../../apps/webhook-delivery/src/deliveries/delivery-request';

/**
 * The minimum work a broker-fed delivery worker does per job, as a floor
 * for the benchmark. It consumes a job, signs its payload, POSTs it and
 * keeps the first 10,240 bytes of the response. Then it publishes a record,
 * waits for the broker's confirm and acknowledges the job. A job for an
 * origin with 4 requests in flight
 * is put on the deferral queue. There is no validation, no address check,
 * no timing capture, no log line and no metric beyond the deferral count.
 * REFERENCE_CLIENT selects the HTTP client: `https` (node:https, the
 * default) or `got`, with the fixed options of SafeHttpClient. Reads
 * AMQP_URL, EGRESS_EXTRA_CA_FILE and HTTP_PORT like the worker, and
 * serves /health/ready and /metrics on HTTP_PORT for the benchmark.
 */

const PREFETCH = 64;
const PER_ORIGIN = 4;
const RESPONSE_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 10_240;

interface Outcome {
  outcome: 'success' | 'http_error' | 'timeout' | 'failed';
  status: number | null;
  headers: Record<string, unknown> | null;
  body: string | null;
}

type Send = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<Outcome>;

const agent = new Agent({
  keepAlive: true,
  maxSockets: 8,
  maxFreeSockets: 8,
  scheduling: 'lifo',
  ca: readFileSync(requiredEnvironment('EGRESS_EXTRA_CA_FILE')),
  minVersion: 'TLSv1.2',
});

function requiredEnvironment(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; the benchmark sets it`);
  }

  return value;
}

/** Keeps the first MAX_BODY_BYTES of the chunks as UTF-8 text. */
function bodyText(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8', 0, MAX_BODY_BYTES);
}

function outcomeOf(status: number): Outcome['outcome'] {
  return status >= 200 && status < 300 ? 'success' : 'http_error';
}

const sendWithHttps: Send = (url, headers, body) =>
  new Promise((resolve) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: RESPONSE_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY_BYTES) {
            chunks.push(chunk);
          }
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({
            outcome: outcomeOf(status),
            status,
            headers: response.headers,
            body: bodyText(chunks),
          });
        });
        response.on('error', () =>
          resolve({
            outcome: 'failed',
            status: null,
            headers: null,
            body: null,
          }),
        );
      },
    );
    outgoing.on('timeout', () => {
      outgoing.destroy();
      resolve({ outcome: 'timeout', status: null, headers: null, body: null });
    });
    outgoing.on('error', () =>
      resolve({ outcome: 'failed', status: null, headers: null, body: null }),
    );
    outgoing.end(body);
  });

const gotClient = got.extend({
  ...FIXED_GOT_OPTIONS,
  agent: { https: agent },
  timeout: { response: RESPONSE_TIMEOUT_MS },
});

const sendWithGot: Send = (url, headers, body) =>
  new Promise((resolve) => {
    const stream = gotClient.stream.post(url, { headers, body });
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let responseHeaders: Record<string, unknown> = {};
    stream.once('response', (response) => {
      status = response.statusCode;
      responseHeaders = response.headers;
    });
    stream.on('data', (chunk: Buffer) => {
      if (size < MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
      size += chunk.length;
    });
    stream.once('end', () =>
      resolve({
        outcome: outcomeOf(status),
        status,
        headers: responseHeaders,
        body: bodyText(chunks),
      }),
    );
    stream.once('error', (error: { code?: string }) =>
      resolve({
        outcome: error.code === 'ETIMEDOUT' ? 'timeout' : 'failed',
        status: null,
        headers: null,
        body: null,
      }),
    );
  });

function publish(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish(
      exchange,
      routingKey,
      content,
      { persistent: true, contentType: 'application/json' },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

async function main(): Promise<void> {
  const send =
    process.env.REFERENCE_CLIENT === 'got' ? sendWithGot : sendWithHttps;
  const inFlight = new Map<string, number>();
  let deferred = 0;

  const connection = await connect(requiredEnvironment('AMQP_URL'));
  const channel = await connection.createConfirmChannel();
  await channel.prefetch(PREFETCH);

  const handle = async (message: ConsumeMessage): Promise<void> => {
    const job = JSON.parse(message.content.toString()) as DeliveryJobMessage;
    const origin = new URL(job.url).origin;
    const count = inFlight.get(origin) ?? 0;
    if (count >= PER_ORIGIN) {
      await publish(channel, '', QUEUES.deliveryDeferred.name, message.content);
      deferred += 1;
      channel.ack(message);
      return;
    }

    inFlight.set(origin, count + 1);
    const startedAt = new Date();
    const outgoing = buildDeliveryRequest(job, startedAt);
    const result = await send(outgoing.url, outgoing.headers, outgoing.body);
    inFlight.set(origin, (inFlight.get(origin) ?? 1) - 1);

    const record = {
      delivery_id: job.delivery_id,
      attempt_id: job.attempt_id,
      kind: job.kind,
      event_id: job.event_id,
      event_type: job.event_type,
      occurred_at: job.occurred_at,
      organization_id: job.organization_id,
      webhook_id: job.webhook_id,
      request: { method: 'POST', ...outgoing },
      outcome: result.outcome,
      response:
        result.status === null
          ? null
          : {
              status: result.status,
              headers: result.headers,
              body: result.body,
            },
      started_at: startedAt.toISOString(),
      completed_at: new Date().toISOString(),
    };
    await publish(
      channel,
      WEBHOOKS_EXCHANGE,
      'delivery.completed',
      Buffer.from(JSON.stringify(record)),
    );
    channel.ack(message);
  };

  await channel.consume(QUEUES.deliveryJobs.name, (message) => {
    if (message) {
      handle(message).catch((error: unknown) => {
        console.error(error);
        channel.nack(message);
      });
    }
  });

  createServer((incoming, response) => {
    response.end(
      incoming.url === '/metrics'
        ? `quor_delivery_jobs_deferred_total{reason="busy"} ${deferred}\n`
        : 'ready',
    );
  }).listen(Number(requiredEnvironment('HTTP_PORT')), '127.0.0.1');

  process.once('SIGTERM', () => {
    void connection.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
