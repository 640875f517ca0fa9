import {
  createReceiverFixture,
  JSON_HEADERS,
  receiverUrl,
} from './testing/receiver-fixture';
import { TestHandler } from './testing/test-server';

const fixture = createReceiverFixture();

afterEach(() => fixture.cleanup());

function answerAfter(delayMs: number): TestHandler {
  return (_request, response) => {
    const timer = setTimeout(() => response.end('late'), delayMs);
    response.on('close', () => clearTimeout(timer));
  };
}

describe('SafeHttpClient timeouts', () => {
  it('times out without headers in 1 s', async () => {
    const server = await fixture.startReceiver(answerAfter(3000));
    const client = fixture.createClient({ responseTimeoutMs: 1000 });
    const startedAt = Date.now();

    const result = await client.post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });
    const elapsedMs = Date.now() - startedAt;

    expect(result.outcome).toBe('timeout');
    expect(result.errorMessage).toContain(
      'no response headers within 1 second',
    );
    expect(result.response).toBeNull();
    expect(result.remoteAddress).toBe('127.0.0.1');
    expect(result.timings.first_byte_ms).toBeNull();
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(elapsedMs).toBeLessThan(1500);
  });

  it('times out at the 5 s default', async () => {
    const server = await fixture.startReceiver(answerAfter(6000));
    const client = fixture.createClient({
      responseTimeoutMs: undefined,
      hardDeadlineMs: undefined,
    });
    const startedAt = Date.now();

    const result = await client.post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });
    const elapsedMs = Date.now() - startedAt;

    expect(result.outcome).toBe('timeout');
    expect(result.errorMessage).toContain(
      'no response headers within 5 seconds',
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(4900);
    expect(elapsedMs).toBeLessThan(6000);
  }, 10_000);

  it('counts a slow DNS answer against the timeout', async () => {
    const client = fixture.createClient({
      responseTimeoutMs: 500,
      resolver: () => new Promise(() => undefined),
    });

    const result = await client.post({
      url: 'https://stalled-dns.quor.test/',
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('timeout');
    expect(result.remoteAddress).toBeNull();
    expect(result.timings.total_ms).toBeLessThan(1000);
  });
});
