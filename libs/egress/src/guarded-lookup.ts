import {
  promises as dnsPromises,
  LookupAddress,
  LookupOptions,
} from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import { AddressPolicyOptions, classifyAddress } from './address-policy';
import { BlockedAddressError } from './blocked-address.error';
import { DnsLookupError } from './dns-lookup.error';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Resolver backed by the operating system, as `dns.lookup` uses it. */
export const systemResolver: Resolver = async (hostname) => {
  const results = await dnsPromises.lookup(hostname, {
    all: true,
    order: 'verbatim',
  });

  return results.map((result) => ({
    address: result.address,
    family: result.family === 6 ? 6 : 4,
  }));
};

export interface GuardedLookupOptions extends AddressPolicyOptions {
  /** Defaults to `systemResolver`. */
  resolver?: Resolver;
  /** Called with the checked addresses a socket may connect to. */
  onResolved?: (hostname: string, addresses: ResolvedAddress[]) => void;
}

/**
 * Resolves `hostname` once and checks every address. Rejects with
 * `BlockedAddressError` if any address is blocked, so one public and one
 * private record still block the name, and with `DnsLookupError` when the
 * name does not resolve. IP literals, with or without IPv6 brackets, skip
 * the resolver and get the same check.
 */
export async function resolveCheckedAddresses(
  hostname: string,
  options: GuardedLookupOptions,
): Promise<ResolvedAddress[]> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const literalVersion = isIP(literal);
  const addresses =
    literalVersion === 0
      ? await resolveName(hostname, options.resolver ?? systemResolver)
      : [{ address: literal, family: literalVersion as 4 | 6 }];

  for (const { address } of addresses) {
    const verdict = classifyAddress(address, options);
    if (!verdict.allowed) {
      throw new BlockedAddressError(hostname, address, verdict.reason);
    }
  }

  options.onResolved?.(hostname, addresses);

  return addresses;
}

async function resolveName(
  hostname: string,
  resolver: Resolver,
): Promise<ResolvedAddress[]> {
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolver(hostname);
  } catch (error) {
    throw new DnsLookupError(hostname, dnsErrorCode(error), { cause: error });
  }

  if (addresses.length === 0) {
    throw new DnsLookupError(hostname, 'ENOTFOUND');
  }

  return addresses;
}

function dnsErrorCode(error: unknown): string {
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string'
  ) {
    return error.code;
  }

  return 'EUNKNOWN';
}

type LookupCallback = Parameters<LookupFunction>[2];

/**
 * Creates a `dns.lookup`-compatible function for the `lookup` option of
 * `net.connect`, `tls.connect`, `https.Agent` and got's `dnsLookup`. The
 * socket receives only checked addresses, so it connects without a second
 * resolution that DNS rebinding could change. Node's `net` skips `lookup`
 * for IP-literal hosts, so callers must check those separately.
 */
export function createGuardedLookup(
  options: GuardedLookupOptions,
): LookupFunction {
  return (
    hostname: string,
    lookupOptions: LookupOptions | number | LookupCallback,
    maybeCallback?: LookupCallback,
  ) => {
    const callback =
      typeof lookupOptions === 'function' ? lookupOptions : maybeCallback;
    if (!callback) {
      throw new TypeError('lookup requires a callback');
    }

    const { all, family } = normalizeLookupOptions(lookupOptions);

    resolveCheckedAddresses(hostname, options).then(
      (addresses) => {
        const matching = addresses.filter(
          (entry) => family === 0 || entry.family === family,
        );
        process.nextTick(() => answer(callback, hostname, matching, all));
      },
      (error: NodeJS.ErrnoException) => {
        process.nextTick(() => callback(error, all ? [] : '', 0));
      },
    );
  };
}

function answer(
  callback: LookupCallback,
  hostname: string,
  addresses: ResolvedAddress[],
  all: boolean,
): void {
  const first = addresses[0];
  if (!first) {
    callback(new DnsLookupError(hostname, 'ENOTFOUND'), all ? [] : '', 0);
    return;
  }

  if (all) {
    const list: LookupAddress[] = addresses.map(({ address, family }) => ({
      address,
      family,
    }));
    callback(null, list);
    return;
  }

  callback(null, first.address, first.family);
}

function normalizeLookupOptions(
  lookupOptions: LookupOptions | number | LookupCallback,
): { all: boolean; family: 0 | 4 | 6 } {
  if (typeof lookupOptions === 'function') {
    return { all: false, family: 0 };
  }

  if (typeof lookupOptions === 'number') {
    return { all: false, family: toFamily(lookupOptions) };
  }

  return {
    all: lookupOptions.all === true,
    family: toFamily(lookupOptions.family),
  };
}

function toFamily(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') {
    return 4;
  }

  if (family === 6 || family === 'IPv6') {
    return 6;
  }

  return 0;
}
