import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDemoCertificates } from '../../../tools/demo/certificates';

export interface ReceivedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * HTTPS endpoint on 127.0.0.1 with a certificate from a throwaway CA. It
 * responds with status 200 after `delayMs`. `caFile` is the PEM file that
 * EGRESS_EXTRA_CA_FILE of the delivery worker must name.
 */
export class HttpsReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly caFile: string;
  delayMs = 0;
  private readonly directory: string;
  private readonly server: Server;

  constructor() {
    const certificates = generateDemoCertificates();
    this.directory = mkdtempSync(path.join(tmpdir(), 'quor-ops-'));
    this.caFile = path.join(this.directory, 'ca.pem');
    writeFileSync(this.caFile, certificates.caCertificate);
    this.server = createServer(
      { cert: certificates.certificate, key: certificates.privateKey },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          this.requests.push({
            headers: request.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          setTimeout(() => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end('{"received":true}');
          }, this.delayMs);
        });
      },
    );
  }

  /** Starts listening and returns the URL to register as a webhook. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;

    return `https://localhost:${port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.directory, { recursive: true, force: true });
  }
}
