import * as ipaddr from 'ipaddr.js';

export interface NamedRange<T extends ipaddr.IPv4 | ipaddr.IPv6> {
  cidr: string;
  name: string;
  range: [T, number];
}

function ipv4Range(cidr: string, name: string): NamedRange<ipaddr.IPv4> {
  return { cidr, name, range: ipaddr.IPv4.parseCIDR(cidr) };
}

function ipv6Range(cidr: string, name: string): NamedRange<ipaddr.IPv6> {
  return { cidr, name, range: ipaddr.IPv6.parseCIDR(cidr) };
}

/**
 * IPv4 ranges that are never a webhook destination, from the IANA IPv4
 * Special-Purpose Address Registry plus multicast and reserved space. The
 * AS112 and AMT anycast ranges are globally reachable but serve DNS and
 * multicast tunnelling only, so they are blocked too. The first match names
 * the reason.
 */
export const BLOCKED_IPV4_RANGES: readonly NamedRange<ipaddr.IPv4>[] = [
  ipv4Range('0.0.0.0/8', '"this network"'),
  ipv4Range('10.0.0.0/8', 'private-use'),
  ipv4Range('100.64.0.0/10', 'shared address space (carrier-grade NAT)'),
  ipv4Range('127.0.0.0/8', 'loopback'),
  ipv4Range('169.254.0.0/16', 'link-local'),
  ipv4Range('172.16.0.0/12', 'private-use'),
  ipv4Range('192.0.0.0/24', 'IETF protocol assignments'),
  ipv4Range('192.0.2.0/24', 'documentation (TEST-NET-1)'),
  ipv4Range('192.31.196.0/24', 'AS112 anycast'),
  ipv4Range('192.52.193.0/24', 'AMT anycast'),
  ipv4Range('192.88.99.0/24', 'deprecated 6to4 relay anycast'),
  ipv4Range('192.168.0.0/16', 'private-use'),
  ipv4Range('192.175.48.0/24', 'AS112 anycast'),
  ipv4Range('198.18.0.0/15', 'benchmarking'),
  ipv4Range('198.51.100.0/24', 'documentation (TEST-NET-2)'),
  ipv4Range('203.0.113.0/24', 'documentation (TEST-NET-3)'),
  ipv4Range('224.0.0.0/4', 'multicast'),
  ipv4Range('255.255.255.255/32', 'limited broadcast'),
  ipv4Range('240.0.0.0/4', 'reserved'),
];

/**
 * IPv6 ranges that are never a webhook destination, from the IANA IPv6
 * Special-Purpose Address Registry. The IPv4-mapped, NAT64 (64:ff9b::/96),
 * 6to4 and Teredo ranges are absent because the policy checks the IPv4
 * address embedded in them instead. 2001::/23 is listed after Teredo
 * (2001::/32) is handled, so it covers the rest of that block.
 */
export const BLOCKED_IPV6_RANGES: readonly NamedRange<ipaddr.IPv6>[] = [
  ipv6Range('::/128', 'unspecified'),
  ipv6Range('::/96', 'deprecated IPv4-compatible'),
  ipv6Range('::ffff:0:0:0/96', 'IPv4-translated (SIIT)'),
  ipv6Range('64:ff9b:1::/48', 'local-use NAT64'),
  ipv6Range('100::/64', 'discard-only'),
  ipv6Range('2001::/23', 'IETF protocol assignments'),
  ipv6Range('2001:db8::/32', 'documentation'),
  ipv6Range('3fff::/20', 'documentation'),
  ipv6Range('5f00::/16', 'segment routing (SRv6) SIDs'),
  ipv6Range('fc00::/7', 'unique local'),
  ipv6Range('fe80::/10', 'link-local'),
  ipv6Range('fec0::/10', 'deprecated site-local'),
  ipv6Range('ff00::/8', 'multicast'),
];

/** Global unicast space. IPv6 addresses outside it are not allocated yet. */
export const IPV6_GLOBAL_UNICAST = ipv6Range('2000::/3', 'global unicast');

export const IPV4_LOOPBACK = ipv4Range('127.0.0.0/8', 'loopback');
export const IPV4_MAPPED = ipv6Range('::ffff:0:0/96', 'IPv4-mapped');
export const NAT64_WELL_KNOWN = ipv6Range('64:ff9b::/96', 'NAT64');
export const SIX_TO_FOUR = ipv6Range('2002::/16', '6to4');
export const TEREDO = ipv6Range('2001::/32', 'Teredo');

/** Returns the first range in `ranges` that contains `address`. */
export function findRange<T extends ipaddr.IPv4 | ipaddr.IPv6>(
  address: T,
  ranges: readonly NamedRange<T>[],
): NamedRange<T> | undefined {
  return ranges.find((entry) => address.match(entry.range));
}
