import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  createReceiverFixture,
  JSON_HEADERS,
  receiverUrl,
} from './testing/receiver-fixture';
import { TestHandler } from './testing/test-server';

const CAP = 10_240;
const MB = 1024 * 1024;

const fixture = createReceiverFixture();

afterEach(() => fixture.cleanup());

async function postTo(handler: TestHandler, hardDeadlineMs = 1500) {
  const server = await fixture.startReceiver(handler);
  const client = fixture.createClient({ hardDeadlineMs });

  return client.post({
    url: receiverUrl(server),
    headers: JSON_HEADERS,
    body: '{}',
  });
}

function respond(
  contentType: string | null,
  body: Buffer | string,
): TestHandler {
  return (_request, response) => {
    if (contentType !== null) {
      response.setHeader('content-type', contentType);
    }
    response.end(body);
  };
}

describe('SafeHttpClient response body', () => {
  it('keeps the first 10240 bytes of 50 KB', async () => {
    const text = Array.from(
      { length: 5000 },
      (_, index) => `${index % 10}abcdefghi`,
    ).join('');
    expect(text.length).toBe(50_000);

    const result = await postTo(respond('text/plain', text));

    expect(result.outcome).toBe('success');
    expect(result.response?.body).toBe(text.slice(0, CAP));
    expect(result.response?.body_truncated).toBe(true);
    expect(result.response?.body_bytes_seen).toBeGreaterThan(CAP);
  });

  it('stores a body of exactly the cap whole', async () => {
    const text = 'z'.repeat(CAP);

    const result = await postTo(respond('text/plain', text));

    expect(result.response?.body).toBe(text);
    expect(result.response?.body_truncated).toBe(false);
    expect(result.response?.body_bytes_seen).toBe(CAP);
  });

  it('stops reading 200 MB early', async () => {
    let bytesProduced = 0;
    let finishedWriting = true;
    let closed!: () => void;
    const serverClosed = new Promise<void>((resolve) => (closed = resolve));
    const handler: TestHandler = (_request, response) => {
      const chunk = Buffer.alloc(64 * 1024, 'q');
      function* produce() {
        for (let index = 0; index < (200 * MB) / chunk.length; index += 1) {
          bytesProduced += chunk.length;
          yield chunk;
        }
      }
      const source = Readable.from(produce());
      response.writeHead(200, { 'content-type': 'text/plain' });
      source.pipe(response);
      response.on('close', () => {
        finishedWriting = response.writableFinished;
        source.destroy();
        closed();
      });
    };
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);

    const result = await postTo(handler, 10_000);
    await serverClosed;
    clearInterval(sampler);

    expect(result.outcome).toBe('success');
    expect(result.response?.body).toBe('q'.repeat(CAP));
    expect(result.response?.body_truncated).toBe(true);
    expect(finishedWriting).toBe(false);
    expect(bytesProduced).toBeLessThan(20 * MB);
    expect(rssPeak - rssBefore).toBeLessThan(50 * MB);
  });

  it('keeps what arrived by the hard deadline', async () => {
    const handler: TestHandler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('a');
      const drip = setInterval(() => response.write('b'), 1000);
      response.on('close', () => clearInterval(drip));
    };

    const result = await postTo(handler, 1500);

    expect(result.outcome).toBe('success');
    expect(result.response?.body).toBe('ab');
    expect(result.response?.body_truncated).toBe(true);
    expect(result.timings.total_ms).toBeGreaterThanOrEqual(1450);
    expect(result.timings.total_ms).toBeLessThan(2500);
  });

  it('stores image/png as non-text', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(1992, 0x01),
    ]);

    const result = await postTo(respond('image/png', png));

    expect(result.outcome).toBe('success');
    expect(result.response?.body).toBeNull();
    expect(result.response?.content_type).toBe('image/png');
    expect(result.response?.body_bytes_seen).toBe(2000);
  });

  it('replaces NUL in text', async () => {
    const result = await postTo(respond('text/plain', 'before\u0000after'));

    expect(result.outcome).toBe('success');
    expect(result.response?.body).not.toContain('\u0000');
    expect(result.response?.body).toBe('before\uFFFDafter');
  });

  it('replaces invalid UTF-8', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x62]);

    const result = await postTo(respond('text/plain; charset=utf-8', bytes));

    expect(result.response?.body).toBe('a\uFFFD\uFFFDb');
  });

  it('never splits a character at the cap', async () => {
    const text = `${'a'.repeat(CAP - 1)}\u20ac tail`;

    const result = await postTo(respond('application/json', text));

    expect(result.response?.body).toBe('a'.repeat(CAP - 1));
    expect(result.response?.body_truncated).toBe(true);
  });

  it('decodes a declared charset', async () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9]);

    const result = await postTo(
      respond('text/plain; charset=ISO-8859-1', bytes),
    );

    expect(result.response?.body).toBe('caf\u00e9');
  });

  it('detects text without content-type', async () => {
    const result = await postTo(respond(null, 'accepted\n'));

    expect(result.response?.content_type).toBeNull();
    expect(result.response?.body).toBe('accepted\n');
  });

  it('detects binary without content-type', async () => {
    const result = await postTo(
      respond(null, Buffer.from([0x00, 0x01, 0x02, 0xff])),
    );

    expect(result.response?.body).toBeNull();
    expect(result.response?.body_bytes_seen).toBe(4);
  });

  it('never inflates a gzip body', async () => {
    const compressed = gzipSync(Buffer.alloc(50 * MB));
    let acceptEncoding: string | undefined = 'unset';
    const handler: TestHandler = (request, response) => {
      acceptEncoding = request.headers['accept-encoding'];
      response.writeHead(200, {
        'content-type': 'text/plain',
        'content-encoding': 'gzip',
      });
      response.end(compressed);
    };

    const result = await postTo(handler);

    expect(acceptEncoding).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.response?.body).toBeNull();
    expect(result.response?.headers['content-encoding']).toBe('gzip');
    expect(result.response?.body_bytes_seen).toBeLessThanOrEqual(
      compressed.length,
    );
    expect(result.response?.body_truncated).toBe(true);
  });
});
