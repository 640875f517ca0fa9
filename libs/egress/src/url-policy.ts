import { isIP } from 'node:net';
import { classifyAddress } from './address-policy';

/** Maximum length of a webhook URL, in characters. */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * Suffixes of names that resolve only inside a private network or not at
 * all. RFC 6761 reserves localhost and invalid, RFC 6762 reserves local and
 * lists the private-use names of its Appendix G, and RFC 8375 reserves
 * home.arpa, which arpa covers. RFC 7686 reserves onion, and ICANN reserved
 * internal in July 2024. Many Linux hosts files use localdomain for the
 * local machine.
 */
const NON_PUBLIC_SUFFIXES = [
  'localhost',
  'local',
  'localdomain',
  'internal',
  'intranet',
  'private',
  'corp',
  'home',
  'lan',
  'arpa',
  'onion',
  'invalid',
];

function hasWhitespaceOrControl(raw: string): boolean {
  for (const character of raw) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || /\s/u.test(character)) {
      return true;
    }
  }

  return false;
}

export interface UrlPolicyOptions {
  /** Accepts loopback literals and localhost names, for tests and demos. */
  allowLoopback?: boolean;
}

/**
 * Checks a webhook URL when it is saved, without any DNS lookup. Returns
 * null when the URL is acceptable, else a message that names the problem
 * and the fix.
 *
 * Any port from 1 to 65535 is accepted, because receivers often listen on
 * ports other than 443. The address check at delivery is what keeps
 * requests away from internal services. Host names without a dot are
 * rejected because resolvers complete them with local search domains. A
 * public-looking name passes here, because only the guarded DNS lookup at delivery
 * can tell where it points.
 */
export function validateWebhookUrl(
  raw: string,
  options: UrlPolicyOptions = {},
): string | null {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) {
    return `URL is ${raw.length} characters long. Use at most ${WEBHOOK_URL_MAX_LENGTH}.`;
  }

  if (hasWhitespaceOrControl(raw)) {
    return 'URL contains whitespace or control characters. Remove them or percent-encode them.';
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'URL is not a valid absolute URL. Use the form https://host/path.';
  }

  const protocolProblem = checkProtocol(url);
  if (protocolProblem) {
    return protocolProblem;
  }

  if (url.username !== '' || url.password !== '') {
    return 'URL must not contain a user name or password. Remove them, and verify the webhook-signature header instead.';
  }

  if (raw.includes('#')) {
    return 'URL must not contain a fragment (#...), because fragments are never sent. Remove it.';
  }

  if (url.port === '0') {
    return 'URL port 0 is not valid. Use a port from 1 to 65535.';
  }

  return checkHost(url.hostname, options.allowLoopback ?? false);
}

function checkProtocol(url: URL): string | null {
  if (url.protocol === 'https:') {
    return null;
  }

  if (url.protocol === 'http:') {
    return 'URL must use https. Change http:// to https:// and serve a valid certificate.';
  }

  return `URL scheme ${url.protocol.slice(0, -1)} is not supported. Use an https:// URL.`;
}

/** Checks a WHATWG-normalized host name or bracketed IPv6 literal. */
function checkHost(hostname: string, allowLoopback: boolean): string | null {
  if (hostname === '') {
    return 'URL has no host. Use the form https://host/path.';
  }

  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(literal) !== 0) {
    const verdict = classifyAddress(literal, { allowLoopback });
    if (!verdict.allowed) {
      return `address ${hostname} is not publicly routable (${verdict.reason}). Use a public host name or address.`;
    }

    return null;
  }

  return checkHostName(hostname, allowLoopback);
}

function checkHostName(
  hostname: string,
  allowLoopback: boolean,
): string | null {
  if (hostname === 'unix' || hostname.startsWith('unix:')) {
    return 'URL must not name a unix socket. Use a public host name.';
  }

  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  const isLocalhost = name === 'localhost' || name.endsWith('.localhost');
  if (allowLoopback && isLocalhost) {
    return null;
  }

  const suffix = NON_PUBLIC_SUFFIXES.find(
    (entry) => name === entry || name.endsWith(`.${entry}`),
  );
  if (suffix) {
    return `host ${hostname} is a local or internal name (.${suffix}). Use a publicly resolvable host name.`;
  }

  if (!name.includes('.')) {
    return `host ${hostname} has no dot, so it resolves only through local search domains. Use a fully qualified host name.`;
  }

  return null;
}
