import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { isIP, Socket } from 'node:net';

export interface SocketWatch {
  /** Client sockets on which `connect()` was called. */
  created: () => number;
  /** Remote addresses of client sockets that finished a TCP connect. */
  connected: () => string[];
  /** Non-loopback addresses from lookups. Their sockets are destroyed. */
  stoppedLookups: () => string[];
  stop: () => void;
}

function isLoopback(address: string): boolean {
  return (
    address === '::1' || (isIP(address) === 4 && address.startsWith('127.'))
  );
}

/**
 * Watches every client socket of this process through the `net.client.socket`
 * diagnostics channel, which Node 24 publishes when `Socket#connect()` starts,
 * for plain and TLS sockets. As a safety net, a socket whose lookup yields an
 * address outside loopback is destroyed before `net` dials it, so a failing
 * guard cannot send packets to another host during a test.
 */
export function watchSockets(): SocketWatch {
  let createdCount = 0;
  const connectedAddresses: string[] = [];
  const stopped: string[] = [];

  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    createdCount += 1;

    socket.prependListener(
      'lookup',
      (error: Error | null, address?: string) => {
        if (!error && address && !isLoopback(address)) {
          stopped.push(address);
          socket.destroy();
        }
      },
    );
    socket.once('connect', () => {
      connectedAddresses.push(socket.remoteAddress ?? 'unknown');
    });
  };

  subscribe('net.client.socket', onSocket);

  return {
    created: () => createdCount,
    connected: () => [...connectedAddresses],
    stoppedLookups: () => [...stopped],
    stop: () => unsubscribe('net.client.socket', onSocket),
  };
}
