import { DeliveryOutcome } from '@quor/contracts';
import { BlockedAddressError } from './blocked-address.error';
import { DnsLookupError } from './dns-lookup.error';

export interface FailedOutcome {
  outcome: Exclude<DeliveryOutcome, 'success' | 'http_error'>;
  errorMessage: string;
}

/** Customer-facing text for a blocked destination. It names no address. */
export const BLOCKED_MESSAGE =
  'the destination address is not publicly routable. Use a URL whose host resolves only to public addresses.';

const DNS_ERROR_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
  'EREFUSED',
  'ETIMEOUT',
]);

/**
 * TLS failure codes without one of the prefixes below: OpenSSL certificate
 * verification codes as Node reports them, and EPROTO.
 */
const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'EPROTO',
]);

const TLS_ERROR_PREFIXES = [
  'ERR_SSL_',
  'ERR_TLS_',
  'CERT_',
  'CRL_',
  'ERROR_IN_',
];

/** Returns an error followed by every error in its `cause` chain. */
function collectChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;

  while (current !== undefined && current !== null && chain.length < 10) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }

  return chain;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }

  return undefined;
}

function isTlsCode(code: string): boolean {
  return (
    TLS_ERROR_CODES.has(code) ||
    TLS_ERROR_PREFIXES.some((prefix) => code.startsWith(prefix))
  );
}

/**
 * Maps an error raised before response headers arrived to an outcome and a
 * message saying what failed and what the customer can do. `origin` is the
 * URL's host, with the port when the URL names one.
 */
export function describeRequestError(
  error: unknown,
  origin: string,
): FailedOutcome {
  const chain = collectChain(error);

  if (chain.some((entry) => entry instanceof BlockedAddressError)) {
    return { outcome: 'blocked', errorMessage: BLOCKED_MESSAGE };
  }

  const dnsError = chain.find((entry) => entry instanceof DnsLookupError);
  if (dnsError instanceof DnsLookupError) {
    return dnsFailure(dnsError.hostname, dnsError.dnsCode);
  }

  const codes = chain.map(codeOf).filter((code) => code !== undefined);
  const dnsCode = codes.find((code) => DNS_ERROR_CODES.has(code));
  if (dnsCode) {
    return dnsFailure(origin, dnsCode);
  }

  const tlsCode = codes.find(isTlsCode);
  if (tlsCode) {
    return {
      outcome: 'tls_error',
      errorMessage: `TLS handshake with ${origin} failed (${tlsCode}). Serve a certificate for this host name from a public certificate authority, over TLS 1.2 or later.`,
    };
  }

  if (codes.includes('ETIMEDOUT')) {
    return {
      outcome: 'timeout',
      errorMessage: `connection to ${origin} timed out. Check that the endpoint is reachable from the internet.`,
    };
  }

  return connectionFailure(origin, codes[0] ?? 'unknown error');
}

function dnsFailure(hostname: string, code: string): FailedOutcome {
  return {
    outcome: 'dns_failure',
    errorMessage: `DNS lookup of ${hostname} failed (${code}). Check the host name and its DNS records.`,
  };
}

function connectionFailure(origin: string, code: string): FailedOutcome {
  if (code === 'ECONNREFUSED') {
    return {
      outcome: 'connection_error',
      errorMessage: `connection to ${origin} was refused (ECONNREFUSED). Check that the endpoint accepts HTTPS on this port.`,
    };
  }

  return {
    outcome: 'connection_error',
    errorMessage: `connection to ${origin} closed before a response arrived (${code}). Check that the endpoint accepts HTTPS requests and responds to them.`,
  };
}

/** Message for a timeout before response headers, in whole or decimal seconds. */
export function headersTimeoutMessage(timeoutMs: number): string {
  const seconds = timeoutMs / 1000;
  const unit = seconds === 1 ? 'second' : 'seconds';

  return `no response headers within ${seconds} ${unit}. Respond with a 2xx status first and process the event afterwards.`;
}

/** Message for a non-2xx status. A redirect message names its Location. */
export function httpErrorMessage(
  status: number,
  location: string | null,
): string {
  if (status >= 300 && status < 400) {
    const target =
      location === null ? 'without a Location header' : `to ${location}`;
    return `the endpoint returned HTTP ${status} redirecting ${target}. Redirects are not followed, so set the webhook URL to the final address.`;
  }

  return `the endpoint returned HTTP ${status}. Return a 2xx status to acknowledge the event.`;
}
