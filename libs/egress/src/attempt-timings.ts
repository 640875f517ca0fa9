import { AttemptTimings } from '@quor/contracts';

/** Timestamps that got records on a request, in `Date.now()` milliseconds. */
export interface RequestTimestamps {
  start: number;
  lookup?: number;
  connect?: number;
  secureConnect?: number;
  response?: number;
}

/**
 * Converts got's timestamps to milliseconds since `startedAt`, with null
 * for phases the attempt did not reach. got sets `lookup` and `connect` to
 * the socket assignment time when a pooled connection is reused, and sets
 * `lookup` when a lookup fails.
 */
export function toAttemptTimings(
  timestamps: RequestTimestamps | undefined,
  startedAt: number,
  endedAt: number,
): AttemptTimings {
  const since = (timestamp: number | undefined): number | null =>
    timestamp === undefined ? null : Math.max(0, timestamp - startedAt);

  return {
    dns_ms: since(timestamps?.lookup),
    connect_ms: since(timestamps?.connect),
    tls_ms: since(timestamps?.secureConnect),
    first_byte_ms: since(timestamps?.response),
    total_ms: Math.max(0, endedAt - startedAt),
  };
}
