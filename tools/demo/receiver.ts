import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { DemoCertificates } from './certificates';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True when the signature verified with the webhook's secret. */
  signatureValid: boolean | null;
  verificationError: string | null;
}

/**
 * HTTPS receiver on 127.0.0.1 that responds 200 with a short JSON body and
 * verifies each request's signature with the `standardwebhooks` package,
 * exactly as a customer's endpoint would.
 */
export class DemoReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | null = null;
  private secret: string | null = null;

  constructor(private readonly certificates: DemoCertificates) {}

  /** Secret to verify signatures with, once the webhook exists. */
  setSecret(secret: string): void {
    this.secret = secret;
  }

  async start(): Promise<number> {
    this.server = createServer(
      {
        cert: this.certificates.certificate,
        key: this.certificates.privateKey,
      },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          this.requests.push(
            this.verify(
              request.method ?? '',
              request.url ?? '',
              request.headers,
              body,
            ),
          );
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ received: true }));
        });
      },
    );
    await new Promise<void>((resolve) =>
      this.server?.listen(0, '127.0.0.1', resolve),
    );

    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private verify(
    method: string,
    path: string,
    headers: ReceivedRequest['headers'],
    body: string,
  ): ReceivedRequest {
    if (!this.secret) {
      return {
        method,
        path,
        headers,
        body,
        signatureValid: null,
        verificationError: 'no secret yet',
      };
    }
    try {
      new Webhook(this.secret).verify(body, headers as Record<string, string>);

      return {
        method,
        path,
        headers,
        body,
        signatureValid: true,
        verificationError: null,
      };
    } catch (error) {
      return {
        method,
        path,
        headers,
        body,
        signatureValid: false,
        verificationError: (error as Error).message,
      };
    }
  }
}
