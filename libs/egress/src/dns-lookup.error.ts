/** Error raised when a host name cannot be resolved to any address. */
export class DnsLookupError extends Error {
  readonly code = 'ERR_EGRESS_DNS_LOOKUP';

  /**
   * @param dnsCode resolver error code such as `ENOTFOUND`, `EAI_AGAIN` or
   *   `ESERVFAIL`
   */
  constructor(
    readonly hostname: string,
    readonly dnsCode: string,
    options?: { cause?: unknown },
  ) {
    super(`DNS lookup of ${hostname} failed (${dnsCode})`, options);
    this.name = 'DnsLookupError';
  }
}
