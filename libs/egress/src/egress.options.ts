// @quor/contracts runs class-transformer decorators when it loads, and
// they need the Reflect metadata API.
import 'reflect-metadata';
import { RESPONSE_BODY_CAP_BYTES } from '@quor/contracts';
import { Resolver } from './guarded-lookup';

export interface EgressOptions {
  /** Permits 127.0.0.0/8 and ::1 destinations, for tests and demos only. */
  allowLoopback: boolean;
  /** Sent as `user-agent` unless a request sets its own. */
  userAgent: string;
  /**
   * PEM certificates trusted in addition to Node's default CA store.
   * Certificate verification stays on.
   */
  extraCaCertificates?: string[];
  /**
   * Milliseconds from the start of an attempt within which DNS, connect,
   * TLS and the response headers must complete. Default 5000.
   */
  responseTimeoutMs?: number;
  /** Milliseconds for the whole attempt, body included. Default 10000. */
  hardDeadlineMs?: number;
  /** Maximum response body bytes read. Default 10240. */
  maxBodyBytes?: number;
  /** Defaults to the operating system resolver. */
  resolver?: Resolver;
  /** Maximum concurrent sockets per origin in the keep-alive pool. Default 8. */
  maxSocketsPerOrigin?: number;
}

export type EgressSettings = Required<Omit<EgressOptions, 'resolver'>> &
  Pick<EgressOptions, 'resolver'>;

export const DEFAULT_RESPONSE_TIMEOUT_MS = 5_000;
export const DEFAULT_HARD_DEADLINE_MS = 10_000;
export const DEFAULT_MAX_SOCKETS_PER_ORIGIN = 8;

/** Fills defaults and rejects values that would disable a limit. */
export function resolveEgressSettings(options: EgressOptions): EgressSettings {
  const settings: EgressSettings = {
    allowLoopback: options.allowLoopback,
    userAgent: options.userAgent,
    extraCaCertificates: options.extraCaCertificates ?? [],
    responseTimeoutMs: options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
    hardDeadlineMs: options.hardDeadlineMs ?? DEFAULT_HARD_DEADLINE_MS,
    maxBodyBytes: options.maxBodyBytes ?? RESPONSE_BODY_CAP_BYTES,
    resolver: options.resolver,
    maxSocketsPerOrigin:
      options.maxSocketsPerOrigin ?? DEFAULT_MAX_SOCKETS_PER_ORIGIN,
  };

  requirePositiveInteger('responseTimeoutMs', settings.responseTimeoutMs);
  requirePositiveInteger('hardDeadlineMs', settings.hardDeadlineMs);
  requirePositiveInteger('maxBodyBytes', settings.maxBodyBytes);
  requirePositiveInteger('maxSocketsPerOrigin', settings.maxSocketsPerOrigin);

  if (settings.hardDeadlineMs < settings.responseTimeoutMs) {
    throw new RangeError(
      `hardDeadlineMs (${settings.hardDeadlineMs}) must be at least responseTimeoutMs (${settings.responseTimeoutMs})`,
    );
  }

  return settings;
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
