import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo, Socket } from 'node:net';

/**
 * HTTPS receivers for the delivery benchmark, run as a child process
 * forked by `receiver-control.ts` so they do not share a CPU thread with
 * the client being measured. The parent sends one `ReceiverLayout` over
 * IPC and gets `ReceiverPorts` back.
 */

export interface ReceiverLayout {
  key: string;
  cert: string;
  /** Receivers on 127.0.0.1 that respond 200 at once. */
  healthy: number;
  /** Receivers on `hangingHost` that read the request and never respond. */
  hanging: number;
  hangingHost: string;
  /** Receivers on 127.0.0.1 that respond 200 with `largeBodyBytes` of text. */
  largeBody: number;
  largeBodyBytes: number;
}

export interface ReceiverPorts {
  healthy: number[];
  hanging: number[];
  largeBody: number[];
}

export interface ReceiverCounts {
  requests: number;
  largeBodyBytesWritten: number;
}

const OK_BODY = '{"received":true}';
const LARGE_CHUNK = Buffer.alloc(64 * 1024, 'z');

let requests = 0;
let largeBodyBytesWritten = 0;

function answerOk(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(OK_BODY.length),
  });
  response.end(OK_BODY);
}

function neverAnswer(): void {
  // The client gives up after its response timeout and closes the socket.
}

function streamLargeBody(totalBytes: number) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, {
      'content-type': 'text/plain',
      'content-length': String(totalBytes),
    });
    let written = 0;
    let closed = false;
    response.once('close', () => {
      closed = true;
    });
    const writeMore = (): void => {
      while (!closed && written < totalBytes) {
        const part = LARGE_CHUNK.subarray(
          0,
          Math.min(LARGE_CHUNK.length, totalBytes - written),
        );
        written += part.length;
        largeBodyBytesWritten += part.length;
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
  };
}

async function listen(
  layout: ReceiverLayout,
  host: string,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<number> {
  const server: Server = createServer(
    { key: layout.key, cert: layout.cert },
    (request, response) => {
      request.resume();
      request.on('end', () => {
        requests += 1;
        handler(request, response);
      });
    },
  );
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, 511, resolve));

  return (server.address() as AddressInfo).port;
}

async function start(layout: ReceiverLayout): Promise<ReceiverPorts> {
  const ports: ReceiverPorts = { healthy: [], hanging: [], largeBody: [] };
  for (let index = 0; index < layout.healthy; index += 1) {
    ports.healthy.push(await listen(layout, '127.0.0.1', answerOk));
  }
  for (let index = 0; index < layout.hanging; index += 1) {
    ports.hanging.push(await listen(layout, layout.hangingHost, neverAnswer));
  }
  const large = streamLargeBody(layout.largeBodyBytes);
  for (let index = 0; index < layout.largeBody; index += 1) {
    ports.largeBody.push(await listen(layout, '127.0.0.1', large));
  }

  return ports;
}

process.on('message', (message: { type: string; layout?: ReceiverLayout }) => {
  if (message.type === 'start' && message.layout) {
    start(message.layout).then(
      (ports) => process.send?.({ type: 'ports', ports }),
      (error: Error) =>
        process.send?.({ type: 'error', message: error.message }),
    );
  } else if (message.type === 'counts') {
    const counts: ReceiverCounts = { requests, largeBodyBytesWritten };
    process.send?.({ type: 'counts', counts });
  }
});

// Stops with the benchmark, even when the parent is killed.
process.on('disconnect', () => process.exit(0));
