import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server, ServerOptions } from 'node:https';
import { AddressInfo, Socket } from 'node:net';

export type TestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void;

export interface TestServer {
  port: number;
  /** TCP connections accepted, counted before any TLS handshake. */
  connections: () => number;
  /** Requests whose body has been read. */
  requests: () => number;
  close: () => Promise<void>;
}

/**
 * Starts an HTTPS server on 127.0.0.1 with an ephemeral port. The handler
 * runs after the request body is read. Closing destroys open sockets, so a
 * handler that never responds does not hold the test run.
 */
export async function startTestServer(
  tlsOptions: ServerOptions,
  handler: TestHandler,
  host = '127.0.0.1',
): Promise<TestServer> {
  let connectionCount = 0;
  let requestCount = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer(tlsOptions, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requestCount += 1;
      handler(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });

  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Handshake failures are expected in TLS tests, and without a listener
  // they would only be logged.
  server.on('tlsClientError', () => undefined);

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    connections: () => connectionCount,
    requests: () => requestCount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
