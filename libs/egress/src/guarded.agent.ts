import { ClientRequestArgs } from 'node:http';
import { Agent } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { Duplex } from 'node:stream';
import { SecureContext } from 'node:tls';
import { classifyAddress } from './address-policy';
import { BlockedAddressError } from './blocked-address.error';

export interface GuardedAgentOptions {
  allowLoopback: boolean;
  /** Guarded lookup used for every new socket. */
  lookup: LookupFunction;
  secureContext: SecureContext;
  maxSocketsPerOrigin: number;
}

/**
 * Idle time after which a pooled socket is closed. It is below the 5 second
 * keep-alive timeout of Node's HTTP server, so the client usually closes an
 * idle socket before the receiver does and no request starts on a socket
 * that the receiver is closing.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;

type CreateConnectionCallback = (error: Error | null, stream: Duplex) => void;

/**
 * Keep-alive HTTPS agent whose sockets all pass the address policy. New
 * sockets resolve names with the guarded lookup, and IP-literal hosts, for
 * which Node skips `lookup`, are classified here before any socket exists.
 * Pooled sockets are reused only after that check, so reuse needs no second
 * lookup. The agent's options override per-request options in Node's
 * `Agent.addRequest`, so a request cannot swap the lookup, trust store or
 * minimum TLS version.
 */
export class GuardedAgent extends Agent {
  private readonly allowLoopback: boolean;

  constructor(options: GuardedAgentOptions) {
    super({
      keepAlive: true,
      maxSockets: options.maxSocketsPerOrigin,
      maxFreeSockets: options.maxSocketsPerOrigin,
      scheduling: 'lifo',
      // Node's Agent applies this to every socket but destroys only idle
      // pooled ones when it fires. The client's own timers cover requests.
      timeout: IDLE_SOCKET_TIMEOUT_MS,
      lookup: options.lookup,
      secureContext: options.secureContext,
      rejectUnauthorized: true,
    });
    this.allowLoopback = options.allowLoopback;
  }

  override createConnection(
    options: ClientRequestArgs,
    callback?: CreateConnectionCallback,
  ): Duplex | null | undefined {
    const host = options.host ?? '';
    if (isIP(host) !== 0) {
      const verdict = classifyAddress(host, {
        allowLoopback: this.allowLoopback,
      });
      if (!verdict.allowed) {
        const error = new BlockedAddressError(host, host, verdict.reason);
        if (!callback) {
          throw error;
        }

        callback(error, undefined as unknown as Duplex);
        return undefined;
      }
    }

    return super.createConnection(options, callback);
  }
}
