import { get as httpsGet } from 'node:https';
import { createSecureContext } from 'node:tls';
import { BLOCKED_MESSAGE } from './attempt-error';
import { BlockedAddressError } from './blocked-address.error';
import { createGuardedLookup, systemResolver } from './guarded-lookup';
import { GuardedAgent } from './guarded.agent';
import { SafeHttpClient } from './safe-http.client';
import { fixedResolver } from './testing/fixed-resolver';
import { watchSockets } from './testing/socket-watch';
import { createTestPki } from './testing/test-pki';
import { startTestServer, TestServer } from './testing/test-server';

const pki = createTestPki();
const certificate = pki.issue(['rebind.quor.test', 'localhost']);
const watch = watchSockets();
let ipv4Server: TestServer;
let ipv6Server: TestServer;

beforeAll(async () => {
  const answer = (
    _request: unknown,
    response: { end: (body: string) => void },
  ) => response.end('reached');
  ipv4Server = await startTestServer(certificate, answer, '127.0.0.1');
  ipv6Server = await startTestServer(certificate, answer, '::1');
});

afterAll(async () => {
  watch.stop();
  await ipv4Server.close();
  await ipv6Server.close();
});

/**
 * Destinations that must be blocked. `PORT` and `PORT6` become the ports of
 * the loopback receivers, so a guard failure would show up as a connection.
 */
const LITERAL_ROWS = [
  'https://127.0.0.1:PORT/',
  'https://10.1.2.3/',
  'https://172.16.0.9/',
  'https://192.168.1.10/',
  'https://169.254.169.254/latest/meta-data/',
  'https://100.64.0.1/',
  'https://0.0.0.0:PORT/',
  'https://2130706433:PORT/',
  'https://0x7f000001:PORT/',
  'https://[::1]:PORT6/',
  'https://[fd00::1]/',
  'https://[fe80::1]/',
  'https://[::ffff:10.0.0.1]/',
  'https://[::ffff:127.0.0.1]:PORT/',
  'https://[64:ff9b::a9fe:a9fe]/',
];

const NAME_ROWS = [
  'https://localhost:PORT/',
  'https://internal.example.test/',
  'https://mixed.example.test:PORT/',
];

const dns = fixedResolver({
  'internal.example.test': ['10.0.0.7'],
  // The public record comes first, so a guard that checks only the first
  // address would let the loopback one through.
  'mixed.example.test': ['1.1.1.1', '127.0.0.1'],
});

function withPorts(url: string): string {
  return url
    .replace('PORT6', String(ipv6Server.port))
    .replace('PORT', String(ipv4Server.port));
}

function strictClient(): SafeHttpClient {
  return new SafeHttpClient({
    allowLoopback: false,
    userAgent: 'QuorWebhooks-Test/1.0',
    extraCaCertificates: [pki.caCertificate],
    resolver: (hostname) =>
      hostname === 'localhost'
        ? systemResolver(hostname)
        : dns.resolver(hostname),
    responseTimeoutMs: 1000,
    hardDeadlineMs: 1500,
  });
}

describe('SafeHttpClient blocked destinations', () => {
  const client = strictClient();

  afterAll(() => client.close());

  it.each(LITERAL_ROWS)('blocks %s before any socket', async (row) => {
    const socketsBefore = watch.created();
    const lookupsBefore = dns.calls.length;

    const result = await client.post({
      url: withPorts(row),
      headers: {},
      body: '{}',
    });

    expect(result.outcome).toBe('blocked');
    expect(result.errorMessage).toBe(BLOCKED_MESSAGE);
    expect(result.response).toBeNull();
    expect(result.remoteAddress).toBeNull();
    expect(watch.created()).toBe(socketsBefore);
    expect(dns.calls.length).toBe(lookupsBefore);
  });

  it.each(NAME_ROWS)('blocks %s in the lookup', async (row) => {
    const connectedBefore = watch.connected().length;
    const url = withPorts(row);
    const hostname = new URL(url).hostname;

    const result = await client.post({ url, headers: {}, body: '{}' });

    expect(result.outcome).toBe('blocked');
    expect(result.errorMessage).toBe(BLOCKED_MESSAGE);
    expect(result.remoteAddress).toBeNull();
    expect(watch.connected().length).toBe(connectedBefore);
    expect(watch.stoppedLookups()).toEqual([]);
    if (hostname !== 'localhost') {
      expect(dns.calls).toContain(hostname);
    }
  });

  it('leaves the receivers untouched', () => {
    expect(ipv4Server.connections()).toBe(0);
    expect(ipv6Server.connections()).toBe(0);
  });

  it('hides the resolved address', async () => {
    const result = await client.post({
      url: 'https://internal.example.test/',
      headers: {},
      body: '{}',
    });

    expect(result.errorMessage).not.toContain('10.0.0.7');
  });
});

describe('GuardedAgent', () => {
  it('blocks IP literals without a socket', async () => {
    const agent = new GuardedAgent({
      allowLoopback: false,
      lookup: createGuardedLookup({ allowLoopback: false }),
      secureContext: createSecureContext(),
      maxSocketsPerOrigin: 1,
    });
    const socketsBefore = watch.created();

    const error = await new Promise<Error>((resolve) => {
      httpsGet({ host: '10.9.8.7', port: 443, agent }).on('error', resolve);
    });
    agent.destroy();

    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(watch.created()).toBe(socketsBefore);
  });
});

describe('DNS rebinding', () => {
  it('connects to the checked address', async () => {
    // A second lookup would return 127.0.0.2, where nothing listens.
    const rebinding = fixedResolver({
      'rebind.quor.test': (call) =>
        call === 1 ? ['127.0.0.1'] : ['127.0.0.2'],
    });
    const client = new SafeHttpClient({
      allowLoopback: true,
      userAgent: 'QuorWebhooks-Test/1.0',
      extraCaCertificates: [pki.caCertificate],
      resolver: rebinding.resolver,
    });
    const connectedBefore = watch.connected().length;

    const result = await client.post({
      url: `https://rebind.quor.test:${ipv4Server.port}/`,
      headers: {},
      body: '{}',
    });
    client.close();

    expect(result.outcome).toBe('success');
    expect(result.remoteAddress).toBe('127.0.0.1');
    expect(rebinding.calls).toEqual(['rebind.quor.test']);
    expect(watch.connected().slice(connectedBefore)).toEqual(['127.0.0.1']);
  });
});
