import { LookupAddress } from 'node:dns';
import { connect, createServer, LookupFunction, Server } from 'node:net';
import { BlockedAddressError } from './blocked-address.error';
import { DnsLookupError } from './dns-lookup.error';
import { createGuardedLookup, resolveCheckedAddresses } from './guarded-lookup';
import { fixedResolver } from './testing/fixed-resolver';

const dns = fixedResolver({
  'public.quor.test': ['1.1.1.1', '2606:4700::1111'],
  'private.quor.test': ['10.0.0.7'],
  'mixed.quor.test': ['1.1.1.1', '127.0.0.1'],
  'loopback.quor.test': ['127.0.0.1'],
  'empty.quor.test': [],
});

const strict = { allowLoopback: false, resolver: dns.resolver };

function lookupAsPromise(
  lookup: LookupFunction,
  hostname: string,
  options: { all?: boolean; family?: number },
): Promise<{ address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) {
        reject(error);
        return;
      }
      resolve({ address, family });
    });
  });
}

describe('resolveCheckedAddresses', () => {
  it('returns every public address', async () => {
    const addresses = await resolveCheckedAddresses('public.quor.test', strict);

    expect(addresses).toEqual([
      { address: '1.1.1.1', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
  });

  it('blocks a private record', async () => {
    await expect(
      resolveCheckedAddresses('private.quor.test', strict),
    ).rejects.toThrow(BlockedAddressError);
  });

  it('blocks when any record is blocked', async () => {
    const error = await resolveCheckedAddresses(
      'mixed.quor.test',
      strict,
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BlockedAddressError);
    expect((error as BlockedAddressError).address).toBe('127.0.0.1');
  });

  it('checks IP literals without the resolver', async () => {
    const callsBefore = dns.calls.length;

    await expect(resolveCheckedAddresses('[fd00::1]', strict)).rejects.toThrow(
      BlockedAddressError,
    );
    expect(dns.calls.length).toBe(callsBefore);
  });

  it('wraps a resolver error', async () => {
    const error = await resolveCheckedAddresses(
      'missing.quor.test',
      strict,
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DnsLookupError);
    expect((error as DnsLookupError).dnsCode).toBe('ENOTFOUND');
  });

  it('keeps the resolver error code', async () => {
    const failing = async () => {
      throw Object.assign(new Error('queryA ESERVFAIL'), { code: 'ESERVFAIL' });
    };

    const error = await resolveCheckedAddresses('down.quor.test', {
      allowLoopback: false,
      resolver: failing,
    }).catch((caught: unknown) => caught);

    expect((error as DnsLookupError).dnsCode).toBe('ESERVFAIL');
  });

  it('treats no records as ENOTFOUND', async () => {
    const error = await resolveCheckedAddresses(
      'empty.quor.test',
      strict,
    ).catch((caught: unknown) => caught);

    expect((error as DnsLookupError).dnsCode).toBe('ENOTFOUND');
  });

  it('reports the checked addresses', async () => {
    const reported: string[] = [];

    await resolveCheckedAddresses('public.quor.test', {
      ...strict,
      onResolved: (_hostname, addresses) =>
        reported.push(...addresses.map((entry) => entry.address)),
    });

    expect(reported).toEqual(['1.1.1.1', '2606:4700::1111']);
  });
});

describe('createGuardedLookup', () => {
  const lookup = createGuardedLookup(strict);

  it('answers all addresses', async () => {
    const { address } = await lookupAsPromise(lookup, 'public.quor.test', {
      all: true,
    });

    expect(address).toEqual([
      { address: '1.1.1.1', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
  });

  it('answers one address of a family', async () => {
    const answer = await lookupAsPromise(lookup, 'public.quor.test', {
      family: 6,
    });

    expect(answer.address).toBe('2606:4700::1111');
    expect(answer.family).toBe(6);
  });

  it('fails with BlockedAddressError', async () => {
    await expect(
      lookupAsPromise(lookup, 'mixed.quor.test', {}),
    ).rejects.toThrow(BlockedAddressError);
  });

  describe('with net.connect', () => {
    let server: Server;
    let port = 0;

    beforeAll(async () => {
      server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      port = (server.address() as { port: number }).port;
    });

    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('connects to the checked address', async () => {
      const loopbackLookup = createGuardedLookup({
        allowLoopback: true,
        resolver: dns.resolver,
      });

      const remoteAddress = await new Promise<string | undefined>(
        (resolve, reject) => {
          const socket = connect({
            host: 'loopback.quor.test',
            port,
            lookup: loopbackLookup,
          });
          socket.on('connect', () => {
            resolve(socket.remoteAddress);
            socket.destroy();
          });
          socket.on('error', reject);
        },
      );

      expect(remoteAddress).toBe('127.0.0.1');
    });

    it('fails a blocked name before connecting', async () => {
      let connected = false;

      const error = await new Promise<Error>((resolve) => {
        const socket = connect({ host: 'loopback.quor.test', port, lookup });
        socket.on('connect', () => {
          connected = true;
        });
        socket.on('error', resolve);
      });

      expect(error).toBeInstanceOf(BlockedAddressError);
      expect(connected).toBe(false);
    });
  });
});
