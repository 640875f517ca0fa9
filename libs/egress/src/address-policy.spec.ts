import { classifyAddress } from './address-policy';

const strict = { allowLoopback: false };
const loopbackAllowed = { allowLoopback: true };

// Classification is pure: none of these addresses is contacted.
const BLOCKED: Array<[string, string]> = [
  ['0.0.0.0', '"this network"'],
  ['0.1.2.3', '"this network"'],
  ['10.0.0.1', 'private-use'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.9', 'private-use'],
  ['172.31.255.255', 'private-use'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.10', 'TEST-NET-1'],
  ['192.88.99.1', '6to4 relay'],
  ['192.168.1.10', 'private-use'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.9', 'TEST-NET-3'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'limited broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::a00:1', 'IPv4-compatible'],
  ['::ffff:0:a00:1', 'IPv4-translated'],
  ['::ffff:10.0.0.1', 'embeds 10.0.0.1'],
  ['::ffff:127.0.0.1', 'embeds 127.0.0.1'],
  ['::ffff:169.254.169.254', 'embeds 169.254.169.254'],
  ['64:ff9b::10.0.0.1', 'NAT64 address embeds 10.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'embeds 169.254.169.254'],
  ['64:ff9b:1::1.1.1.1', 'local-use NAT64'],
  ['100::1', 'discard-only'],
  ['2001:db8::1', 'documentation'],
  ['2001:2::1', 'IETF protocol assignments'],
  ['2002:a00:1::1', '6to4 address embeds 10.0.0.1'],
  ['2002:7f00:1::1', '6to4 address embeds 127.0.0.1'],
  // Teredo: server 65.54.227.120, client ~0x3fffff7e = 192.0.0.129.
  ['2001:0:4136:e378:8000:63bf:3fff:ff7e', 'Teredo address embeds 192.0.0.129'],
  // Teredo: server 10.0.0.1 is private.
  ['2001:0:a00:1:8000:63bf:fefe:fefe', 'Teredo address embeds 10.0.0.1'],
  ['3fff::1', 'documentation'],
  ['5f00::1', 'segment routing'],
  ['fc00::1', 'unique local'],
  ['fd00::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'zone index'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['4000::1', 'outside global unicast'],
  ['2130706433', 'standard notation'],
  ['0x7f000001', 'standard notation'],
  ['example.com', 'standard notation'],
  ['', 'standard notation'],
];

const ALLOWED = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.215.14',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.1',
  '198.17.255.255',
  '223.255.255.254',
  '2606:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:1.1.1.1',
  '64:ff9b::808:808',
  '2002:101:101::1',
  // Teredo: server 65.54.227.120, client ~0xf7f7f7f7 = 8.8.8.8.
  '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
];

describe('classifyAddress', () => {
  it.each(BLOCKED)('blocks %s', (address, reasonPart) => {
    const verdict = classifyAddress(address, strict);

    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? '' : verdict.reason).toContain(reasonPart);
  });

  it.each(ALLOWED)('allows %s', (address) => {
    expect(classifyAddress(address, strict)).toEqual({ allowed: true });
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1'])(
    'allows loopback %s on request',
    (address) => {
      expect(classifyAddress(address, loopbackAllowed)).toEqual({
        allowed: true,
      });
    },
  );

  it.each([
    '::ffff:127.0.0.1',
    '64:ff9b::127.0.0.1',
    '2002:7f00:1::1',
    '0.0.0.0',
    '10.0.0.1',
    '169.254.169.254',
    'fe80::1',
  ])('keeps %s blocked with loopback allowed', (address) => {
    expect(classifyAddress(address, loopbackAllowed).allowed).toBe(false);
  });
});
