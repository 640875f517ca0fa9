import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  IncomingHttpHeaders,
  IncomingMessage,
  ServerResponse,
} from 'node:http';
import { createServer, Server, ServerOptions } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestPki,
  KeyAndCertificate,
  TestPki,
} from '@quor/egress/testing';

/** A request as the receiver read it, body bytes unchanged. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Runs after the request body is read. */
export type ReceiverHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => void;

export interface Receiver {
  port: number;
  /** `https://127.0.0.1:<port><path>`. */
  url(path?: string): string;
  /** Requests whose body was read, in arrival order. */
  requests: ReceivedRequest[];
  /** TCP connections accepted, counted before the TLS handshake. */
  connections(): number;
  /** Most TCP connections that were open at the same time. */
  maxOpenConnections(): number;
  /** Closes the server and destroys open sockets, including those of unanswered requests. */
  close(): Promise<void>;
}

/**
 * Test CA trusted by the worker through EGRESS_EXTRA_CA_FILE, and the
 * receiver certificate it issues for 127.0.0.1 and localhost.
 */
export interface ReceiverTrust {
  pki: TestPki;
  /** Path of a PEM file that contains the CA certificate. */
  caFile: string;
  certificate: KeyAndCertificate;
  /** Deletes the CA file. */
  remove(): void;
}

export function createReceiverTrust(): ReceiverTrust {
  const pki = createTestPki();
  const directory = mkdtempSync(path.join(tmpdir(), 'webhook-delivery-ca-'));
  const caFile = path.join(directory, 'ca.pem');
  writeFileSync(caFile, pki.caCertificate);

  return {
    pki,
    caFile,
    certificate: pki.issue(['localhost'], ['127.0.0.1']),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/**
 * Starts an HTTPS receiver on `host` with an ephemeral port that records
 * every request and counts connections.
 */
export async function startReceiver(
  tlsOptions: ServerOptions,
  handler: ReceiverHandler,
  host = '127.0.0.1',
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connectionCount = 0;
  let maxOpen = 0;

  const server: Server = createServer(tlsOptions, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
      });
      handler(request, response, body);
    });
  });

  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    sockets.add(socket);
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.on('close', () => sockets.delete(socket));
  });
  // Handshake failures are expected in the TLS cases; without a listener
  // Node would only log them.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: (urlPath = '/quor') => `https://${host}:${port}${urlPath}`,
    requests,
    connections: () => connectionCount,
    maxOpenConnections: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** Handler that responds 200 with a short JSON body. */
export const answerOk: ReceiverHandler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"received":true}');
};

/**
 * Writes `totalBytes` of `chunk` repeated, waiting for `drain` between
 * writes, and stops when the client goes away. Resolves, once the response
 * closes, with the bytes passed to `write()`.
 */
export function streamBody(
  response: ServerResponse,
  chunk: Buffer,
  totalBytes: number,
): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let closed = false;
    response.once('close', () => {
      closed = true;
      resolve(written);
    });

    const writeMore = (): void => {
      while (!closed && written < totalBytes) {
        const part = chunk.subarray(
          0,
          Math.min(chunk.length, totalBytes - written),
        );
        written += part.length;
        if (!response.write(part)) {
          response.once('drain', writeMore);
          return;
        }
      }
      if (!closed) {
        response.end();
      }
    };
    writeMore();
  });
}
