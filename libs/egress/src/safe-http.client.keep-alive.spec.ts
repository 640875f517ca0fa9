import { setTimeout as sleep } from 'node:timers/promises';
import { IDLE_SOCKET_TIMEOUT_MS } from './guarded.agent';
import {
  createReceiverFixture,
  JSON_HEADERS,
  receiverUrl,
} from './testing/receiver-fixture';

const fixture = createReceiverFixture();

afterEach(() => fixture.cleanup());

describe('SafeHttpClient keep-alive', () => {
  it('keeps a slow active request open', async () => {
    const delayMs = IDLE_SOCKET_TIMEOUT_MS + 500;
    const server = await fixture.startReceiver((_request, response) => {
      setTimeout(() => response.end('done'), delayMs);
    });
    const client = fixture.createClient({
      responseTimeoutMs: undefined,
      hardDeadlineMs: undefined,
    });

    const result = await client.post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('success');
    expect(result.timings.first_byte_ms).toBeGreaterThanOrEqual(delayMs);
  }, 10_000);

  it('closes an idle pooled socket', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.end('ok');
    });
    const client = fixture.createClient();

    await client.post({ url: receiverUrl(server), headers: {}, body: '1' });
    await sleep(IDLE_SOCKET_TIMEOUT_MS + 300);
    const result = await client.post({
      url: receiverUrl(server),
      headers: {},
      body: '2',
    });

    expect(result.outcome).toBe('success');
    expect(server.connections()).toBe(2);
  }, 10_000);
});
