import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createReceiverFixture,
  JSON_HEADERS,
  RECEIVER_HOST,
  receiverUrl,
} from './testing/receiver-fixture';

const fixture = createReceiverFixture();

afterEach(() => fixture.cleanup());

describe('SafeHttpClient responses', () => {
  it('records a 200 JSON response', async () => {
    const payload = JSON.stringify({ note: 'x'.repeat(289) });
    expect(Buffer.byteLength(payload)).toBe(300);
    let receivedBody = '';
    let receivedUserAgent: string | undefined;
    const server = await fixture.startReceiver((request, response, body) => {
      receivedBody = body;
      receivedUserAgent = request.headers['user-agent'];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(payload);
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{"event":"image.updated"}',
    });

    expect(result.outcome).toBe('success');
    expect(result.errorMessage).toBeNull();
    expect(result.response?.status).toBe(200);
    expect(result.response?.body).toBe(payload);
    expect(result.response?.body_truncated).toBe(false);
    expect(result.response?.body_bytes_seen).toBe(300);
    expect(result.response?.content_type).toBe('application/json');
    expect(result.remoteAddress).toBe('127.0.0.1');
    expect(receivedBody).toBe('{"event":"image.updated"}');
    expect(receivedUserAgent).toBe('QuorWebhooks-Test/1.0');
  });

  it('records timings of each phase', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.end('ok');
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: {},
      body: '{}',
    });

    const { timings } = result;
    expect(timings.dns_ms).not.toBeNull();
    expect(timings.connect_ms).toBeGreaterThanOrEqual(timings.dns_ms ?? 0);
    expect(timings.tls_ms).toBeGreaterThanOrEqual(timings.connect_ms ?? 0);
    expect(timings.first_byte_ms).toBeGreaterThanOrEqual(timings.tls_ms ?? 0);
    expect(timings.total_ms).toBeGreaterThanOrEqual(timings.first_byte_ms ?? 0);
  });

  it('treats 204 without body as success', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.writeHead(204).end();
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('success');
    expect(result.response?.status).toBe(204);
    expect(result.response?.body_bytes_seen).toBe(0);
  });

  it('records a 500 as http_error with its body', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('database unavailable');
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('http_error');
    expect(result.response?.status).toBe(500);
    expect(result.response?.body).toBe('database unavailable');
    expect(result.errorMessage).toContain('HTTP 500');
  });

  it('sends a 404 exactly once', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      setTimeout(() => response.writeHead(404).end('no such hook'), 100);
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });
    await sleep(300);

    expect(result.outcome).toBe('http_error');
    expect(result.response?.status).toBe(404);
    expect(server.requests()).toBe(1);
  });

  it('does not follow a 301', async () => {
    const target = await fixture.startReceiver((_request, response) => {
      response.end('moved here');
    });
    const location = receiverUrl(target, '/new-home');
    const server = await fixture.startReceiver((_request, response) => {
      response.writeHead(301, { location }).end();
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('http_error');
    expect(result.response?.status).toBe(301);
    expect(result.response?.headers['location']).toBe(location);
    expect(result.errorMessage).toContain(location);
    expect(target.connections()).toBe(0);
  });

  it('keeps header names lowercase and repeats', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.setHeader('X-Receiver-Id', 'Hook-7');
      response.setHeader('Set-Cookie', ['a=1', 'b=2']);
      response.end('ok');
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.response?.headers['x-receiver-id']).toBe('Hook-7');
    expect(result.response?.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('ignores a caller host header', async () => {
    let receivedHost: string | undefined;
    const server = await fixture.startReceiver((request, response) => {
      receivedHost = request.headers.host;
      response.end('ok');
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: { Host: 'other.quor.test' },
      body: '{}',
    });

    expect(result.outcome).toBe('success');
    expect(receivedHost).toBe(`${RECEIVER_HOST}:${server.port}`);
  });

  it('reuses one connection and one lookup', async () => {
    const server = await fixture.startReceiver((_request, response) => {
      response.end('ok');
    });
    const client = fixture.createClient();
    const callsBefore = fixture.dns.calls.length;

    const first = await client.post({
      url: receiverUrl(server),
      headers: {},
      body: '1',
    });
    const second = await client.post({
      url: receiverUrl(server),
      headers: {},
      body: '2',
    });

    expect(first.outcome).toBe('success');
    expect(second.outcome).toBe('success');
    expect(server.connections()).toBe(1);
    expect(fixture.dns.calls.length - callsBefore).toBe(1);
    expect(second.remoteAddress).toBe('127.0.0.1');
  });

  it('reports an unknown name as dns_failure', async () => {
    const result = await fixture.createClient().post({
      url: 'https://missing.quor.test/hook',
      headers: {},
      body: '{}',
    });

    expect(result.outcome).toBe('dns_failure');
    expect(result.errorMessage).toContain('missing.quor.test');
    expect(result.errorMessage).toContain('ENOTFOUND');
    expect(result.remoteAddress).toBeNull();
  });

  it('reports a refused connection', async () => {
    const placeholder = createServer();
    await new Promise<void>((resolve) =>
      placeholder.listen(0, '127.0.0.1', resolve),
    );
    const { port } = placeholder.address() as AddressInfo;
    await new Promise((resolve) => placeholder.close(resolve));

    const result = await fixture.createClient().post({
      url: `https://${RECEIVER_HOST}:${port}/`,
      headers: {},
      body: '{}',
    });

    expect(result.outcome).toBe('connection_error');
    expect(result.errorMessage).toContain('ECONNREFUSED');
  });

  it('reports a close without answer', async () => {
    const server = await fixture.startReceiver((request) => {
      request.socket.destroy();
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: {},
      body: '{}',
    });

    expect(result.outcome).toBe('connection_error');
    expect(result.response).toBeNull();
    expect(result.remoteAddress).toBe('127.0.0.1');
  });

  it('rejects plain http without connecting', async () => {
    const callsBefore = fixture.dns.calls.length;

    const result = await fixture.createClient().post({
      url: `http://${RECEIVER_HOST}:1/`,
      headers: {},
      body: '{}',
    });

    expect(result.outcome).toBe('blocked');
    expect(result.errorMessage).toContain('only https');
    expect(result.remoteAddress).toBeNull();
    expect(fixture.dns.calls.length).toBe(callsBefore);
  });
});
