import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';
import {
  BLOCKED_IPV4_RANGES,
  BLOCKED_IPV6_RANGES,
  IPV4_LOOPBACK,
  IPV4_MAPPED,
  IPV6_GLOBAL_UNICAST,
  NAT64_WELL_KNOWN,
  SIX_TO_FOUR,
  TEREDO,
  findRange,
} from './address-ranges';

export interface AddressPolicyOptions {
  /**
   * Permits 127.0.0.0/8 and ::1 for tests and local demos. No other blocked
   * range, and no IPv6 form that embeds a loopback IPv4, becomes allowed.
   */
  allowLoopback: boolean;
}

export type AddressVerdict =
  { allowed: true } | { allowed: false; reason: string };

const ALLOWED: AddressVerdict = { allowed: true };

function blocked(reason: string): AddressVerdict {
  return { allowed: false, reason };
}

/**
 * Classifies one IP address as a webhook destination. Only globally routable
 * unicast addresses are allowed. The address must be in standard notation
 * (dotted quad or RFC 4291 text), so shorthand such as `2130706433` is
 * rejected here. URL parsing normalizes those forms first.
 *
 * IPv6 addresses that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * NAT64 64:ff9b::/96, 6to4 2002::/16 and Teredo 2001::/32) are allowed only
 * when every embedded IPv4 address is allowed with loopback disallowed.
 * IPv4-compatible ::/96, IPv4-translated ::ffff:0:0:0/96 and local-use NAT64
 * 64:ff9b:1::/48 are blocked outright, because no public destination uses
 * them.
 */
export function classifyAddress(
  address: string,
  options: AddressPolicyOptions,
): AddressVerdict {
  const version = isIP(address);
  if (version === 0) {
    return blocked('not an IP address in standard notation');
  }

  if (version === 4) {
    return classifyIpv4(ipaddr.IPv4.parse(address), options);
  }

  if (address.includes('%')) {
    return blocked('scoped IPv6 address with a zone index');
  }

  return classifyIpv6(ipaddr.IPv6.parse(address), options);
}

function classifyIpv4(
  address: ipaddr.IPv4,
  options: AddressPolicyOptions,
): AddressVerdict {
  if (options.allowLoopback && address.match(IPV4_LOOPBACK.range)) {
    return ALLOWED;
  }

  const listed = findRange(address, BLOCKED_IPV4_RANGES);
  if (listed) {
    return blocked(`${listed.name} ${listed.cidr}`);
  }

  // Second layer: ipaddr.js names every special range in its tables, so
  // anything other than 'unicast' is blocked even if the table above misses it.
  const range = address.range();
  if (range !== 'unicast') {
    return blocked(`ipaddr.js range '${range}'`);
  }

  return ALLOWED;
}

function classifyIpv6(
  address: ipaddr.IPv6,
  options: AddressPolicyOptions,
): AddressVerdict {
  const bytes = address.toByteArray();
  const isLoopback = bytes.every(
    (byte, index) => byte === (index === 15 ? 1 : 0),
  );
  if (isLoopback) {
    return options.allowLoopback ? ALLOWED : blocked('loopback ::1/128');
  }

  const embedded = findEmbeddedIpv4(address, bytes);
  if (embedded) {
    return classifyEmbedded(embedded.kind, embedded.addresses);
  }

  const listed = findRange(address, BLOCKED_IPV6_RANGES);
  if (listed) {
    return blocked(`${listed.name} ${listed.cidr}`);
  }

  if (!address.match(IPV6_GLOBAL_UNICAST.range)) {
    return blocked(`outside global unicast ${IPV6_GLOBAL_UNICAST.cidr}`);
  }

  const range = address.range();
  if (range !== 'unicast') {
    return blocked(`ipaddr.js range '${range}'`);
  }

  return ALLOWED;
}

interface EmbeddedIpv4 {
  kind: string;
  addresses: ipaddr.IPv4[];
}

function findEmbeddedIpv4(
  address: ipaddr.IPv6,
  bytes: number[],
): EmbeddedIpv4 | null {
  if (address.match(IPV4_MAPPED.range)) {
    return { kind: IPV4_MAPPED.name, addresses: [ipv4At(bytes, 12)] };
  }

  if (address.match(NAT64_WELL_KNOWN.range)) {
    return { kind: NAT64_WELL_KNOWN.name, addresses: [ipv4At(bytes, 12)] };
  }

  if (address.match(SIX_TO_FOUR.range)) {
    return { kind: SIX_TO_FOUR.name, addresses: [ipv4At(bytes, 2)] };
  }

  if (address.match(TEREDO.range)) {
    // RFC 4380: bytes 4-7 are the Teredo server, and bytes 12-15 are the
    // client's public IPv4 with every bit inverted.
    const server = ipv4At(bytes, 4);
    const client = new ipaddr.IPv4(
      bytes.slice(12, 16).map((byte) => byte ^ 0xff),
    );
    return { kind: TEREDO.name, addresses: [server, client] };
  }

  return null;
}

function ipv4At(bytes: number[], offset: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(offset, offset + 4));
}

function classifyEmbedded(
  kind: string,
  addresses: ipaddr.IPv4[],
): AddressVerdict {
  for (const embedded of addresses) {
    const verdict = classifyIpv4(embedded, { allowLoopback: false });
    if (!verdict.allowed) {
      return blocked(
        `${kind} address embeds ${embedded.toString()}: ${verdict.reason}`,
      );
    }
  }

  return ALLOWED;
}
