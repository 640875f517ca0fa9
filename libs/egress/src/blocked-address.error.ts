/**
 * Error raised before any connection when a destination address is not
 * publicly routable. `address` and `reason` are for operator logs only,
 * because customers must not learn what an internal name resolves to.
 */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_EGRESS_BLOCKED_ADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${hostname} resolved to a blocked address (${reason})`);
    this.name = 'BlockedAddressError';
  }
}
