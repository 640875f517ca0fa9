import { ServerOptions } from 'node:https';
import { EgressOptions } from '../egress.options';
import { SafeHttpClient } from '../safe-http.client';
import { CountingResolver, fixedResolver } from './fixed-resolver';
import { createTestPki, KeyAndCertificate, TestPki } from './test-pki';
import { startTestServer, TestHandler, TestServer } from './test-server';

/** Host name that the fixture's resolver maps to 127.0.0.1. */
export const RECEIVER_HOST = 'receiver.quor.test';

export interface ReceiverFixture {
  pki: TestPki;
  /** Certificate for RECEIVER_HOST issued by the test CA. */
  receiverCertificate: KeyAndCertificate;
  dns: CountingResolver;
  /** Starts a receiver with the fixture's certificate plus `tlsOptions`. */
  startReceiver(
    handler: TestHandler,
    tlsOptions?: ServerOptions,
  ): Promise<TestServer>;
  /** Client trusting the test CA, with loopback allowed and short limits. */
  createClient(overrides?: Partial<EgressOptions>): SafeHttpClient;
  /** Closes every receiver and client the fixture created. */
  cleanup(): Promise<void>;
}

export function createReceiverFixture(): ReceiverFixture {
  const pki = createTestPki();
  const receiverCertificate = pki.issue([RECEIVER_HOST]);
  const dns = fixedResolver({ [RECEIVER_HOST]: ['127.0.0.1'] });
  const servers: TestServer[] = [];
  const clients: SafeHttpClient[] = [];

  return {
    pki,
    receiverCertificate,
    dns,
    async startReceiver(handler, tlsOptions = {}) {
      const server = await startTestServer(
        { ...receiverCertificate, ...tlsOptions },
        handler,
      );
      servers.push(server);
      return server;
    },
    createClient(overrides = {}) {
      const client = new SafeHttpClient({
        allowLoopback: true,
        userAgent: 'QuorWebhooks-Test/1.0',
        extraCaCertificates: [pki.caCertificate],
        resolver: dns.resolver,
        responseTimeoutMs: 1000,
        hardDeadlineMs: 1500,
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    async cleanup() {
      for (const client of clients.splice(0)) {
        client.close();
      }
      await Promise.all(servers.splice(0).map((server) => server.close()));
    },
  };
}

/** URL of a receiver started by the fixture. */
export function receiverUrl(server: TestServer, path = '/quor'): string {
  return `https://${RECEIVER_HOST}:${server.port}${path}`;
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
