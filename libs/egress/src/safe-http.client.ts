import { isIP, LookupFunction } from 'node:net';
import { createSecureContext, getCACertificates } from 'node:tls';
import { got } from 'got';
import type { ExtendOptions, Got, Request as GotRequest } from 'got';
import { classifyAddress } from './address-policy';
import { BLOCKED_MESSAGE } from './attempt-error';
import { toAttemptTimings } from './attempt-timings';
import {
  EgressOptions,
  EgressSettings,
  resolveEgressSettings,
} from './egress.options';
import { createGuardedLookup } from './guarded-lookup';
import { GuardedAgent } from './guarded.agent';
import { AttemptResult, runAttempt } from './http-attempt';

export interface PostRequest {
  url: string;
  /**
   * Header names are sent lowercase. `user-agent` defaults to the option,
   * and `host`, `content-length` and `transfer-encoding` are ignored.
   */
  headers: Record<string, string>;
  /** Exact body to send, already serialized and signed. */
  body: string;
}

/** Minimum TLS version offered to receivers. */
export const MIN_TLS_VERSION = 'TLSv1.2';

/**
 * Options of got that SafeHttpClient sets besides its agent and lookup:
 * no HTTP/2, decompression, redirects, retries or unix sockets, HTTP
 * errors resolved rather than thrown, and verified TLS 1.2 or newer.
 */
export const FIXED_GOT_OPTIONS = {
  http2: false,
  decompress: false,
  followRedirect: false,
  throwHttpErrors: false,
  retry: { limit: 0 },
  enableUnixSockets: false,
  https: { rejectUnauthorized: true, minVersion: MIN_TLS_VERSION },
} as const satisfies ExtendOptions;

/**
 * HTTPS client for webhook deliveries that only reaches publicly routable
 * addresses. Every address is checked before a socket connects, redirects
 * are returned rather than followed, nothing is retried, and at most
 * `maxBodyBytes` of a response body is read. Compressed bodies are never
 * decompressed: no `accept-encoding` is sent and an encoded body is
 * recorded as non-text, so a compression bomb cannot inflate memory.
 */
export class SafeHttpClient {
  private readonly settings: EgressSettings;
  private readonly lookup: LookupFunction;
  private readonly agent: GuardedAgent;
  /** got with every fixed option set once, so a request merges only its own. */
  private readonly http: Got;

  constructor(options: EgressOptions) {
    this.settings = resolveEgressSettings(options);
    this.lookup = createGuardedLookup({
      allowLoopback: this.settings.allowLoopback,
      resolver: this.settings.resolver,
    });

    const secureContext = createSecureContext({
      ca: [
        ...getCACertificates('default'),
        ...this.settings.extraCaCertificates,
      ],
      minVersion: MIN_TLS_VERSION,
    });
    this.agent = new GuardedAgent({
      allowLoopback: this.settings.allowLoopback,
      lookup: this.lookup,
      secureContext,
      maxSocketsPerOrigin: this.settings.maxSocketsPerOrigin,
    });
    // NOTE: got costs about 0.25 ms of CPU per request over node:https
    // with the same agent, measured by bench/delivery-throughput.bench.ts.
    this.http = got.extend({
      agent: { https: this.agent },
      // got passes this per request. The agent carries the same lookup for
      // the sockets it creates, and its options take precedence.
      dnsLookup: this.lookup,
      ...FIXED_GOT_OPTIONS,
    });
  }

  /**
   * Sends one POST. Resolves with the outcome for every failure of the
   * remote side, DNS or the URL, and never rejects for them. `onResponse`
   * runs when the response headers arrive.
   */
  async post(
    request: PostRequest,
    onResponse?: () => void,
  ): Promise<AttemptResult> {
    const startedAt = Date.now();
    const target = checkDeliveryUrl(request.url, this.settings.allowLoopback);
    if (typeof target === 'string') {
      return rejectedBeforeConnecting(target, startedAt);
    }

    const headers = lowercaseHeaders(request.headers);
    headers['user-agent'] ??= this.settings.userAgent;

    return runAttempt(
      () => this.send(target, headers, request.body),
      this.settings,
      target.host,
      startedAt,
      onResponse,
    );
  }

  /** Destroys pooled sockets. Later requests open new ones. */
  close(): void {
    this.agent.destroy();
  }

  private send(
    url: URL,
    headers: Record<string, string>,
    body: string,
  ): GotRequest {
    return this.http.stream.post(url, { headers, body });
  }
}

/**
 * Checks what can be checked before DNS: https only, no credentials, no
 * unix socket, and an allowed address for IP-literal hosts. Returns the
 * parsed URL, or a customer-facing message.
 */
function checkDeliveryUrl(raw: string, allowLoopback: boolean): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the webhook URL is not a valid absolute URL. Use the form https://host/path.';
  }

  if (url.protocol !== 'https:') {
    return `the webhook URL uses ${url.protocol.slice(0, -1)}, but only https URLs are delivered. Change it to https://.`;
  }

  if (url.username !== '' || url.password !== '') {
    return 'the webhook URL contains a user name or password. Remove them.';
  }

  if (url.hostname === 'unix' || url.hostname.startsWith('unix:')) {
    return 'the webhook URL names a unix socket. Use a public host name.';
  }

  const host = url.hostname.startsWith('[')
    ? url.hostname.slice(1, -1)
    : url.hostname;
  if (isIP(host) !== 0 && !classifyAddress(host, { allowLoopback }).allowed) {
    return BLOCKED_MESSAGE;
  }

  return url;
}

function rejectedBeforeConnecting(
  errorMessage: string,
  startedAt: number,
): AttemptResult {
  return {
    outcome: 'blocked',
    errorMessage,
    response: null,
    remoteAddress: null,
    timings: toAttemptTimings(undefined, startedAt, Date.now()),
  };
}

/**
 * Headers that the client derives itself. A caller's `host` would also
 * change the TLS server name that Node verifies the certificate against.
 */
const DERIVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
]);

function lowercaseHeaders(
  headers: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowercaseName = name.toLowerCase();
    if (!DERIVED_HEADERS.has(lowercaseName)) {
      result[lowercaseName] = value;
    }
  }

  return result;
}
