import { INestApplication } from '@nestjs/common';
import {
  DeliveryRecordMessage,
  RESPONSE_BODY_CAP_BYTES,
} from '@quor/contracts';
import { ServerResponse } from 'node:http';
import { ServerOptions } from 'node:https';
import { deliveryJob } from './support/delivery-jobs';
import { startWorker, workerEnvironment } from './support/delivery-worker';
import {
  answerOk,
  createReceiverTrust,
  Receiver,
  ReceiverHandler,
  ReceiverTrust,
  startReceiver,
  streamBody,
} from './support/receiver';
import { DeliveryTestBroker } from './support/test-broker';

/** The worker's limits, from the egress defaults. */
const RESPONSE_TIMEOUT_MS = 5_000;
const HARD_DEADLINE_MS = 10_000;

const JSON_300_BYTES = JSON.stringify({
  status: 'queued',
  padding: 'x'.repeat(300 - '{"status":"queued","padding":""}'.length),
});
const TEXT_50_KB = Array.from({ length: 50 * 1024 }, (_, index) =>
  String.fromCharCode(97 + (index % 26)),
).join('');
const LARGE_BODY_BYTES = 200 * 1024 * 1024;
const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(2_040, 0xa5),
]);
/** Characters the slow receiver sends, one a second, in this order. */
const TRICKLE =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

interface Case {
  handler: ReceiverHandler;
  tls?: ServerOptions;
}

/**
 * Runs every receiver behaviour through one worker at the same time, so the
 * slow cases (5 s timeout, 10 s deadline) overlap. Each test then reads the
 * record of its own case.
 */
describe('webhook-delivery receiver responses', () => {
  let trust: ReceiverTrust;
  let broker: DeliveryTestBroker;
  let worker: INestApplication;
  const receivers = new Map<string, Receiver>();
  const records = new Map<string, Promise<DeliveryRecordMessage>>();
  const timers = new Set<NodeJS.Timeout>();
  let redirectTarget: Receiver;
  let largeBodyBytesWritten: Promise<number>;
  let trickleSent = '';
  let rssBaseline = 0;
  let rssPeak = 0;

  const later = (delayMs: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  };

  const answer =
    (status: number, headers: Record<string, string>, body?: string | Buffer) =>
    (_request: unknown, response: ServerResponse) => {
      response.writeHead(status, headers);
      response.end(body);
    };

  const cases = (): Record<string, Case> => ({
    json200: {
      handler: answer(
        200,
        { 'content-type': 'application/json' },
        JSON_300_BYTES,
      ),
    },
    noContent204: { handler: answer(204, {}) },
    text500: {
      handler: answer(
        500,
        { 'content-type': 'text/plain' },
        'internal failure',
      ),
    },
    slow404: {
      handler: (request, response) =>
        later(100, () =>
          answer(
            404,
            { 'content-type': 'text/plain' },
            'no such hook',
          )(request, response),
        ),
    },
    redirect301: {
      handler: answer(301, { location: redirectTarget.url('/moved') }),
    },
    headersAfter6s: {
      handler: (request, response) =>
        later(6_000, () => {
          if (!response.destroyed) {
            answerOk(request, response, Buffer.alloc(0));
          }
        }),
    },
    trickle: {
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.flushHeaders();
        let sent = 0;
        const interval = setInterval(() => {
          if (response.destroyed || sent >= 60) {
            clearInterval(interval);
            response.end();
            return;
          }
          const character = TRICKLE[sent % TRICKLE.length];
          response.write(character);
          trickleSent += character;
          sent += 1;
        }, 1_000);
        response.once('close', () => clearInterval(interval));
      },
    },
    text50KB: {
      handler: answer(200, { 'content-type': 'text/plain' }, TEXT_50_KB),
    },
    text200MB: {
      handler: (_request, response) => {
        response.writeHead(200, {
          'content-type': 'text/plain',
          'content-length': String(LARGE_BODY_BYTES),
        });
        largeBodyBytesWritten = streamBody(
          response,
          Buffer.alloc(64 * 1024, 'z'),
          LARGE_BODY_BYTES,
        );
      },
    },
    png: { handler: answer(200, { 'content-type': 'image/png' }, PNG_BYTES) },
    nulByte: {
      handler: answer(
        200,
        { 'content-type': 'text/plain' },
        'before\u0000after',
      ),
    },
    tls11: {
      handler: answerOk,
      tls: {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        // OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0.
        ciphers: 'DEFAULT@SECLEVEL=0',
      },
    },
    otherName: {
      handler: answerOk,
      tls: trust.pki.issue(['other.quor.test']),
    },
    closeWithoutAnswer: {
      handler: (request) => request.socket.destroy(),
    },
  });

  beforeAll(async () => {
    trust = createReceiverTrust();
    broker = await DeliveryTestBroker.connect(workerEnvironment({}).AMQP_URL);
    redirectTarget = await startReceiver(trust.certificate, answerOk);
    worker = await startWorker({
      EGRESS_ALLOW_LOOPBACK: 'true',
      EGRESS_EXTRA_CA_FILE: trust.caFile,
    });

    for (const [name, { handler, tls }] of Object.entries(cases())) {
      receivers.set(
        name,
        await startReceiver({ ...trust.certificate, ...tls }, handler),
      );
    }

    rssBaseline = process.memoryUsage().rss;
    rssPeak = rssBaseline;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);

    for (const [name, receiver] of receivers) {
      const job = deliveryJob(receiver.url());
      await broker.publishJob(job);
      records.set(name, broker.waitForRecord(job.attempt_id, 20_000));
    }

    await Promise.allSettled(records.values());
    clearInterval(sampler);
  }, 40_000);

  afterAll(async () => {
    for (const timer of timers) {
      clearTimeout(timer);
    }
    await worker?.close();
    await broker?.close();
    await Promise.all(
      [...receivers.values(), redirectTarget].map((receiver) =>
        receiver?.close(),
      ),
    );
    trust?.remove();
  });

  const recordOf = (name: string): Promise<DeliveryRecordMessage> => {
    const record = records.get(name);
    if (!record) {
      throw new Error(`no job was published for case ${name}`);
    }

    return record;
  };

  it('stores a 300-byte JSON body whole', async () => {
    const record = await recordOf('json200');

    expect(record.outcome).toBe('success');
    expect(record.response?.status).toBe(200);
    expect(record.response?.body).toBe(JSON_300_BYTES);
    expect(record.response?.body_truncated).toBe(false);
    expect(record.response?.body_bytes_seen).toBe(300);
  });

  it('records 204 without body as success', async () => {
    const record = await recordOf('noContent204');

    expect(record.outcome).toBe('success');
    expect(record.response?.status).toBe(204);
    expect(record.response?.body_bytes_seen).toBe(0);
    expect(record.response?.body_truncated).toBe(false);
  });

  it('records 500 as http_error with its body', async () => {
    const record = await recordOf('text500');

    expect(record.outcome).toBe('http_error');
    expect(record.response?.status).toBe(500);
    expect(record.response?.body).toBe('internal failure');
    expect(record.error_message).toContain('HTTP 500');
  });

  it('does not retry a 404', async () => {
    const record = await recordOf('slow404');
    // Three seconds without a second request after the record was
    // published shows that the worker does not retry.
    const quietUntil = Date.parse(record.completed_at) + 3_000;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, quietUntil - Date.now())),
    );

    expect(record.outcome).toBe('http_error');
    expect(record.response?.status).toBe(404);
    expect(record.response?.body).toBe('no such hook');
    expect(receivers.get('slow404')?.requests).toHaveLength(1);
    expect(broker.recordsFor(record.attempt_id)).toHaveLength(1);
  });

  it('records a 301 without following it', async () => {
    const record = await recordOf('redirect301');
    const location = redirectTarget.url('/moved');

    expect(record.outcome).toBe('http_error');
    expect(record.response?.status).toBe(301);
    expect(record.response?.headers['location']).toBe(location);
    expect(record.error_message).toContain(location);
    expect(redirectTarget.connections()).toBe(0);
  });

  it('times out waiting for headers at 5 s', async () => {
    const record = await recordOf('headersAfter6s');

    expect(record.outcome).toBe('timeout');
    expect(record.response).toBeNull();
    expect(record.timings.total_ms).toBeGreaterThanOrEqual(
      RESPONSE_TIMEOUT_MS - 100,
    );
    expect(record.timings.total_ms).toBeLessThanOrEqual(6_500);
  });

  it('stops a slow body at the deadline', async () => {
    const record = await recordOf('trickle');
    const body = record.response?.body ?? '';

    expect(record.outcome).toBe('success');
    expect(record.response?.status).toBe(200);
    expect(record.response?.body_truncated).toBe(true);
    expect(record.timings.total_ms).toBeGreaterThanOrEqual(
      HARD_DEADLINE_MS - 100,
    );
    expect(record.timings.total_ms).toBeLessThanOrEqual(
      HARD_DEADLINE_MS + 1_500,
    );
    expect(body.length).toBeGreaterThanOrEqual(8);
    expect(trickleSent.startsWith(body)).toBe(true);
    expect(record.response?.body_bytes_seen).toBe(body.length);
  });

  it('truncates a 50 KB body at 10,240 bytes', async () => {
    const record = await recordOf('text50KB');

    expect(record.outcome).toBe('success');
    expect(record.response?.body).toBe(
      TEXT_50_KB.slice(0, RESPONSE_BODY_CAP_BYTES),
    );
    expect(record.response?.body_truncated).toBe(true);
    expect(record.response?.body_bytes_seen).toBeGreaterThan(
      RESPONSE_BODY_CAP_BYTES,
    );
  });

  it('reads little of a 200 MB body', async () => {
    const record = await recordOf('text200MB');
    const written = await largeBodyBytesWritten;

    expect(record.outcome).toBe('success');
    expect(record.response?.body).toBe('z'.repeat(RESPONSE_BODY_CAP_BYTES));
    expect(record.response?.body_truncated).toBe(true);
    // The receiver stops once the worker destroys the connection, after
    // socket buffers of a few hundred kilobytes at most.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(rssPeak - rssBaseline).toBeLessThan(64 * 1024 * 1024);
  });

  it('stores no body for image/png', async () => {
    const record = await recordOf('png');

    expect(record.outcome).toBe('success');
    expect(record.response?.body).toBeNull();
    expect(record.response?.content_type).toBe('image/png');
    expect(record.response?.body_bytes_seen).toBe(PNG_BYTES.length);
  });

  it('stores text with NUL without it', async () => {
    const record = await recordOf('nulByte');

    expect(record.outcome).toBe('success');
    expect(record.response?.body).not.toContain('\u0000');
    expect(record.response?.body).toBe('before\uFFFDafter');
  });

  it('rejects a TLS 1.1 receiver', async () => {
    const record = await recordOf('tls11');

    expect(record.outcome).toBe('tls_error');
    expect(record.response).toBeNull();
    expect(receivers.get('tls11')?.requests).toHaveLength(0);
  });

  it('rejects a certificate for another name', async () => {
    const record = await recordOf('otherName');

    expect(record.outcome).toBe('tls_error');
    expect(record.response).toBeNull();
    expect(receivers.get('otherName')?.requests).toHaveLength(0);
  });

  it('records a closed connection', async () => {
    const record = await recordOf('closeWithoutAnswer');

    expect(record.outcome).toBe('connection_error');
    expect(record.response).toBeNull();
    expect(record.remote_address).toBe('127.0.0.1');
  });
});
