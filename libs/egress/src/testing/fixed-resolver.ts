import { ResolvedAddress, Resolver } from '../guarded-lookup';

export interface CountingResolver {
  resolver: Resolver;
  /** Host names passed to the resolver, in call order. */
  calls: string[];
}

/**
 * Resolver over a fixed table. A table entry that is a function receives
 * the call number for that name, starting at 1, so tests can return
 * different addresses on each call. Unknown names fail with ENOTFOUND.
 */
export function fixedResolver(
  table: Record<string, string[] | ((call: number) => string[])>,
): CountingResolver {
  const calls: string[] = [];

  const resolver: Resolver = async (hostname) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
      });
    }

    const call = calls.filter((name) => name === hostname).length;
    const addresses = typeof entry === 'function' ? entry(call) : entry;

    return addresses.map((address): ResolvedAddress => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };

  return { resolver, calls };
}
